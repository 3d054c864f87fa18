import DragomanCore
import DragomanSpeech
import Logging

/// The engines a server runs its pipelines on, chosen by configuration in one place.
public struct SpeechEngines: Sendable {
    public var recognizer: any SpeechRecognizer
    public var translator: any Translator
    public var synthesizer: any SpeechSynthesizer
    /// The sidecars these engines run on, supervised as services of the server.
    public var sidecars: [SidecarSupervisor]
    /// Each session's glossary, which its translations honour.
    public let glossaries = GlossaryBook()

    public init(
        recognizer: any SpeechRecognizer, translator: any Translator, synthesizer: any SpeechSynthesizer, sidecars: [SidecarSupervisor] = []
    ) {
        self.recognizer = recognizer
        self.translator = translator
        self.synthesizer = synthesizer
        self.sidecars = sidecars
    }

    /// The embedded tier: pocketsphinx, Apertium and eSpeak NG, in process and offline.
    public static func embedded(logger: Logger) throws -> SpeechEngines {
        SpeechEngines(
            recognizer: try PocketSphinxRecognizer(),
            translator: ApertiumTranslator(catalog: try ApertiumModeCatalog(), logger: logger),
            synthesizer: try EspeakSynthesizer(logger: logger))
    }

    /// What these engines offer: every recognized language, and every language one of them can be
    /// translated into (with speech where the synthesizer has a voice). Known at start, from what
    /// is installed, never discovered while a session runs.
    public var catalog: LanguageCatalog {
        let sources = recognizer.supportedLanguages.compactMap(LanguageCode.init)
        let targets = sources.flatMap { source in translator.targetLanguages(from: source.rawValue).compactMap(LanguageCode.init) }
        return LanguageCatalog(sources: sources, targets: Array(Set(targets)))
    }

    /// The engines as one session uses them: its translations honour its glossary.
    func forSession(_ sessionID: String) -> SpeechEngines {
        var engines = self
        engines.translator = SessionGlossaryTranslator(base: translator, sessionID: sessionID, book: glossaries)
        return engines
    }

    /// Whether listeners of `language` can hear speech, not only read captions.
    func canSpeak(_ language: LanguageCode) -> Bool {
        synthesizer.supportedLanguages.contains(language.rawValue)
    }
}
