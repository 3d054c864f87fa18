/// What can go wrong talking to a Wyoming service.
public enum WyomingError: Error, CustomStringConvertible, Equatable {
    /// A header or data section that is not JSON.
    case malformedEvent(String)
    /// The service closed the connection before answering.
    case connectionClosed(expecting: String)
    /// The service answered with an `error` event.
    case serviceError(String)
    /// Audio in a sample format Dragoman does not read (it reads 16-bit mono).
    case unsupportedAudio(String)
    /// A `tcp://host:port` address was expected.
    case invalidAddress(String)
    /// A supervised sidecar did not become ready in time.
    case notReady(String)
    /// A language the service was not configured for.
    case unsupportedLanguage(String)

    public var description: String {
        switch self {
        case .malformedEvent(let text): "malformed Wyoming event: \(text)"
        case .connectionClosed(let expected): "the Wyoming service closed the connection before sending \(expected)"
        case .serviceError(let text): "the Wyoming service reported an error: \(text)"
        case .unsupportedAudio(let format): "unsupported Wyoming audio format: \(format)"
        case .invalidAddress(let text): "not a tcp://host:port address: \"\(text)\""
        case .notReady(let name): "the \(name) sidecar is not ready"
        case .unsupportedLanguage(let language): "the Wyoming service is not configured for language \(language)"
        }
    }
}
