/// A failure of eSpeak NG synthesis.
public enum EspeakError: Error, Equatable, CustomStringConvertible {
    /// `espeak_Initialize` failed, typically because its data directory is missing.
    case initializationFailed
    /// No voice is configured for the language, or its voice did not load.
    case unsupportedLanguage(String)
    /// The voice could not be loaded.
    case voiceUnavailable(String)
    /// `espeak_Synth` returned an error status.
    case synthesisFailed(status: Int32)

    public var description: String {
        switch self {
        case .initializationFailed: "eSpeak NG could not be initialized (is espeak-ng-data installed?)"
        case .unsupportedLanguage(let language): "eSpeak NG has no voice for language '\(language)'"
        case .voiceUnavailable(let voice): "eSpeak NG voice '\(voice)' could not be loaded"
        case .synthesisFailed(let status): "eSpeak NG synthesis failed with status \(status)"
        }
    }
}
