/// A failure of Apertium translation.
public enum ApertiumError: Error, Equatable, CustomStringConvertible {
    /// No installed mode, direct or through a pivot language, translates this pair.
    case unsupportedPair(TranslationPair)
    /// The modes directory or a mode file could not be read.
    case unreadableMode(path: String)
    /// The pipeline process could not be started.
    case launchFailed(TranslationPair, reason: String)
    /// The pipeline did not answer in time; it has been restarted.
    case timedOut(TranslationPair)
    /// The pipeline process exited or closed its output; it has been restarted.
    case pipelineExited(TranslationPair)

    public var description: String {
        switch self {
        case .unsupportedPair(let pair): "Apertium has no installed mode for \(pair)"
        case .unreadableMode(let path): "cannot read Apertium mode \(path)"
        case .launchFailed(let pair, let reason): "cannot start the Apertium pipeline for \(pair): \(reason)"
        case .timedOut(let pair): "the Apertium pipeline for \(pair) did not answer in time and was restarted"
        case .pipelineExited(let pair): "the Apertium pipeline for \(pair) exited and was restarted"
        }
    }
}
