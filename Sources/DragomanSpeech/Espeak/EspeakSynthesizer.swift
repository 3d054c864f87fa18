import Logging

/// Offline speech synthesis with eSpeak NG, in process: robotic but intelligible, fast, and
/// available for most languages.
///
/// All instances share the process's one eSpeak NG engine, which synthesizes one text at
/// a time; texts for several languages queue up behind each other.
public struct EspeakSynthesizer: SpeechSynthesizer {
    /// The eSpeak NG voice for each language, as installed by Debian's `espeak-ng-data`
    /// (`espeak-ng --voices` lists them). It has no Galician or Occitan voice; an operator
    /// who prefers an approximation can map `gl` to `pt` and `oc` to `ca`.
    public static let defaultVoices = [
        "ca": "ca", "de": "de", "en": "en-us", "eo": "eo", "es": "es", "fr": "fr",
        "it": "it", "nl": "nl", "pt": "pt", "ro": "ro",
    ]

    /// The voice used for each supported language.
    public let voices: [String: String]
    private let engine: EspeakEngine

    /// Starts eSpeak NG (once per process) and checks each voice in `voices`, a map from
    /// BCP-47 language code to eSpeak NG voice name; a voice that does not load is left out
    /// of ``supportedLanguages`` with a warning.
    public init(voices: [String: String] = defaultVoices, logger: Logger = Logger(label: "dragoman.espeak")) throws {
        let engine = try EspeakEngine.shared.get()
        self.engine = engine
        self.voices = voices.filter { language, voice in
            if engine.canLoad(voice) { return true }
            logger.warning("eSpeak NG voice does not load", metadata: ["language": "\(language)", "voice": "\(voice)"])
            return false
        }
    }

    /// Samples per second of the audio produced.
    public var sampleRate: Int { engine.sampleRate }

    public var supportedLanguages: Set<String> { Set(voices.keys) }

    public func synthesize(_ text: String, language: String) throws -> SynthesizedSpeech {
        guard let voice = voices[language] ?? voices[LanguageTag.primary(language)] else {
            throw EspeakError.unsupportedLanguage(language)
        }
        return SynthesizedSpeech(sampleRate: engine.sampleRate, chunks: engine.speak(text, voice: voice))
    }
}
