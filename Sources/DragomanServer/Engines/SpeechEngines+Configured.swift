import DragomanSpeech
import Logging

extension SpeechEngines {
    /// The engines the configuration names, per language: each engine is made once, whatever
    /// number of languages it serves, and each sidecar with a command gets a supervisor.
    /// - Throws: `ConfigurationError` for a setting that cannot work (an engine name unknown, a
    ///   sidecar address that is not tcp://host:port), or the error of an embedded engine that
    ///   does not load.
    public static func configured(_ settings: EngineSettings, logger: Logger) throws -> SpeechEngines {
        var factory = EngineFactory(settings: settings, logger: logger)
        let recognizers = try EngineChoice(parsing: settings.recognizer, known: EngineChoice.recognizers)
        let translators = try EngineChoice(parsing: settings.translator, known: EngineChoice.translators)
        let synthesizers = try EngineChoice(parsing: settings.synthesizer, known: EngineChoice.synthesizers)
        return SpeechEngines(
            recognizer: LanguageRoutedRecognizer(
                defaultEngine: try recognizers.defaultEngine.map { try factory.recognizer($0) },
                byLanguage: try recognizers.byLanguage.mapValues { try factory.recognizer($0) }),
            translator: LanguageRoutedTranslator(
                defaultEngine: try translators.defaultEngine.map { try factory.translator($0) },
                byLanguage: try translators.byLanguage.mapValues { try factory.translator($0) }),
            synthesizer: LanguageRoutedSynthesizer(
                defaultEngine: try synthesizers.defaultEngine.map { try factory.synthesizer($0) },
                byLanguage: try synthesizers.byLanguage.mapValues { try factory.synthesizer($0) }),
            sidecars: factory.sidecars)
    }
}

/// Makes each named engine once.
private struct EngineFactory {
    let settings: EngineSettings
    let logger: Logger
    private(set) var sidecars: [SidecarSupervisor] = []
    private var recognizers: [String: any SpeechRecognizer] = [:]
    private var translators: [String: any Translator] = [:]
    private var synthesizers: [String: any SpeechSynthesizer] = [:]

    init(settings: EngineSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    mutating func recognizer(_ name: String) throws -> any SpeechRecognizer {
        if let made = recognizers[name] { return made }
        let made: any SpeechRecognizer
        switch name {
        case "pocketsphinx":
            made = try PocketSphinxRecognizer()
        case "wyoming":
            made = WyomingRecognizer(
                endpoint: try wyomingEndpoint("whisper", uri: settings.wyomingRecognizerURI, command: settings.wyomingRecognizerCommand),
                languages: SettingList.languages(settings.wyomingRecognizerLanguages), partialInterval: settings.wyomingPartialInterval)
        default:
            throw ConfigurationError(description: "recognizer \(name) is not available")
        }
        recognizers[name] = made
        return made
    }

    mutating func translator(_ name: String) throws -> any Translator {
        if let made = translators[name] { return made }
        let made: any Translator
        switch name {
        case "apertium":
            made = ApertiumTranslator(catalog: try ApertiumModeCatalog(), logger: logger)
        default:
            throw ConfigurationError(description: "translator \(name) is not available")
        }
        translators[name] = made
        return made
    }

    mutating func synthesizer(_ name: String) throws -> any SpeechSynthesizer {
        if let made = synthesizers[name] { return made }
        let made: any SpeechSynthesizer
        switch name {
        case "espeak":
            made = try EspeakSynthesizer(logger: logger)
        case "wyoming":
            made = WyomingSynthesizer(
                endpoint: try wyomingEndpoint("piper", uri: settings.wyomingSynthesizerURI, command: settings.wyomingSynthesizerCommand),
                voices: SettingList.map(settings.wyomingSynthesizerVoices))
        default:
            throw ConfigurationError(description: "synthesizer \(name) is not available")
        }
        synthesizers[name] = made
        return made
    }

    /// A Wyoming service at `uri`, started and supervised from `command` when one is given.
    private mutating func wyomingEndpoint(_ name: String, uri: String, command: String) throws -> WyomingEndpoint {
        let address: WyomingAddress
        do {
            address = try WyomingAddress(parsing: uri)
        } catch {
            throw ConfigurationError(description: "\(name) sidecar: \(error)")
        }
        guard !command.trimmingCharacters(in: .whitespaces).isEmpty else { return WyomingEndpoint(address: address) }
        let supervisor = SidecarSupervisor(name: name, command: command, address: address, logger: logger)
        sidecars.append(supervisor)
        return WyomingEndpoint(supervisor: supervisor)
    }
}
