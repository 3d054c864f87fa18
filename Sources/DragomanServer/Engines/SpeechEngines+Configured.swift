import DragomanSpeech
import Foundation
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
                endpoint: try wyomingEndpoint(
                    "whisper", uri: settings.wyomingRecognizerURI, command: settings.wyomingRecognizerCommand, warmUp: WyomingRecognizer.warmUp),
                languages: SettingList.languages(settings.wyomingRecognizerLanguages), partialInterval: settings.wyomingPartialInterval)
        case "openai":
            made = OpenAICompatibleRecognizer(api: try openAI(), model: settings.openaiTranscriptionModel)
        default:
            throw ConfigurationError(description: "recognizer \(name) is not one Dragoman knows")
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
        case "openai":
            made = OpenAICompatibleTranslator(api: try openAI(), model: settings.openaiChatModel)
        case "libretranslate":
            made = LibreTranslateTranslator(
                baseURL: try url("libreTranslateURL", settings.libreTranslateURL), apiKey: settings.libreTranslateAPIKey,
                languages: SettingList.languages(settings.libreTranslateLanguages))
        case "aws":
            made = AmazonTranslateTranslator(service: try aws(), languages: SettingList.languages(settings.awsLanguages))
        default:
            throw ConfigurationError(description: "translator \(name) is not one Dragoman knows")
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
        case "openai":
            made = OpenAICompatibleSynthesizer(api: try openAI(), model: settings.openaiSpeechModel, voice: settings.openaiSpeechVoice)
        case "aws":
            made = AmazonPollySynthesizer(service: try aws(), voices: SettingList.map(settings.awsPollyVoices))
        default:
            throw ConfigurationError(description: "synthesizer \(name) is not one Dragoman knows")
        }
        synthesizers[name] = made
        return made
    }

    private func openAI() throws -> OpenAICompatibleAPI {
        OpenAICompatibleAPI(
            baseURL: try url("openaiBaseURL", settings.openaiBaseURL), apiKey: settings.openaiAPIKey,
            languages: SettingList.languages(settings.openaiLanguages))
    }

    private func aws() throws -> AWSService {
        guard !settings.awsAccessKeyID.isEmpty, !settings.awsSecretAccessKey.isEmpty else {
            throw ConfigurationError(description: "the aws engines need awsAccessKeyID and awsSecretAccessKey")
        }
        return AWSService(
            credentials: AWSCredentials(
                accessKeyID: settings.awsAccessKeyID, secretAccessKey: settings.awsSecretAccessKey,
                sessionToken: settings.awsSessionToken.isEmpty ? nil : settings.awsSessionToken),
            region: settings.awsRegion, endpoint: settings.awsEndpoint.isEmpty ? nil : try url("awsEndpoint", settings.awsEndpoint))
    }

    private func url(_ name: String, _ text: String) throws -> URL {
        guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw ConfigurationError(description: "\(name) must be an http:// or https:// URL, not \"\(text)\"")
        }
        return url
    }

    /// A Wyoming service at `uri`, started and supervised from `command` when one is given.
    private mutating func wyomingEndpoint(
        _ name: String, uri: String, command: String, warmUp: (@Sendable (WyomingAddress) async throws -> Void)? = nil
    ) throws -> WyomingEndpoint {
        let address: WyomingAddress
        do {
            address = try WyomingAddress(parsing: uri)
        } catch {
            throw ConfigurationError(description: "\(name) sidecar: \(error)")
        }
        guard !command.trimmingCharacters(in: .whitespaces).isEmpty else { return WyomingEndpoint(address: address) }
        let supervisor = SidecarSupervisor(name: name, command: command, address: address, warmUp: warmUp, logger: logger)
        sidecars.append(supervisor)
        return WyomingEndpoint(supervisor: supervisor)
    }
}
