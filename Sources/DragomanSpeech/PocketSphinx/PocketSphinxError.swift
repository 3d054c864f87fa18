/// A failure of the pocketsphinx recognizer.
public enum PocketSphinxError: Error, Equatable, CustomStringConvertible {
    /// A model file or directory is missing.
    case missingModel(path: String)
    /// The decoder could not be configured or created from the model.
    case initializationFailed(String)
    /// A decoder call returned an error status.
    case callFailed(function: String, status: Int32)
    /// The language is not one the model covers.
    case unsupportedLanguage(String)
    /// Audio was fed to, or finish was called on, a session that already finished.
    case sessionFinished

    public var description: String {
        switch self {
        case .missingModel(let path): "pocketsphinx model file not found: \(path)"
        case .initializationFailed(let reason): "pocketsphinx decoder could not be created: \(reason)"
        case .callFailed(let function, let status): "pocketsphinx \(function) failed with status \(status)"
        case .unsupportedLanguage(let language): "pocketsphinx has no model for language '\(language)'"
        case .sessionFinished: "the recognition session has already finished"
        }
    }
}
