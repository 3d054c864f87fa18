/// The `code` of an `error` message (docs/protocol.md, "Errors").
public enum ErrorCode: String, Sendable, Codable, CaseIterable {
    case invalidMessage = "INVALID_MESSAGE"
    case unknownAction = "UNKNOWN_ACTION"
    case forbidden = "FORBIDDEN"
    case sessionNotFound = "SESSION_NOT_FOUND"
    case sessionEnded = "SESSION_ENDED"
    case unsupportedLanguage = "UNSUPPORTED_LANGUAGE"
    case invalidAudioFormat = "INVALID_AUDIO_FORMAT"
    case payloadTooLarge = "PAYLOAD_TOO_LARGE"
    case rateLimitExceeded = "RATE_LIMIT_EXCEEDED"
    case unauthorized = "UNAUTHORIZED"
    case sessionFull = "SESSION_FULL"
    case engineFailure = "ENGINE_FAILURE"
    case storageUnavailable = "STORAGE_UNAVAILABLE"
    case `internal` = "INTERNAL"
}

/// A refusal to be reported to a client as an `error` message: `code`, `message` and `action`
/// (`null` when not known).
public struct ProtocolError: Error, Sendable, Equatable, Codable {
    public var code: ErrorCode
    public var message: String
    /// The action that caused it, when known.
    @Nullable public var action: String?

    public init(_ code: ErrorCode, _ message: String, action: String? = nil) {
        self.code = code
        self.message = message
        self.action = action
    }
}
