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
        let factory = EngineFactory(settings: settings, logger: logger)
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
private final class EngineFactory {
    let settings: EngineSettings
    let logger: Logger
    private(set) var sidecars: [SidecarSupervisor] = []
    /// The engines made so far, by kind and name (`recognizer wyoming`).
    private var made: [String: Any] = [:]

    init(settings: EngineSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    private func once<Engine>(_ kind: String, _ name: String, _ make: () throws -> Engine) throws -> Engine {
        if let engine = made["\(kind) \(name)"] as? Engine { return engine }
        let engine = try make()
        made["\(kind) \(name)"] = engine
        return engine
    }

    private func unknown(_ kind: String, _ name: String) -> ConfigurationError {
        ConfigurationError(description: "\(kind) \(name) is not one Dragoman knows")
    }

    /// One engine, or a chain that falls back from one to the next (`wyoming|pocketsphinx`).
    private func chain<Engine>(
        _ choice: String, _ make: (String) throws -> Engine, _ combine: ([(name: String, engine: Engine)], Logger) -> Engine
    ) throws -> Engine {
        let names = EngineChoice.chain(choice)
        guard names.count > 1 else { return try make(choice) }
        return combine(try names.map { (name: $0, engine: try make($0)) }, logger)
    }

    func recognizer(_ choice: String) throws -> any SpeechRecognizer {
        try chain(choice, recognizer(named:)) { FallbackRecognizer($0, logger: $1) }
    }

    func translator(_ choice: String) throws -> any Translator {
        try chain(choice, translator(named:)) { FallbackTranslator($0, logger: $1) }
    }

    func synthesizer(_ choice: String) throws -> any SpeechSynthesizer {
        try chain(choice, synthesizer(named:)) { FallbackSynthesizer($0, logger: $1) }
    }

    private func recognizer(named name: String) throws -> any SpeechRecognizer {
        try once("recognizer", name) { () throws -> any SpeechRecognizer in
            switch name {
            case "pocketsphinx":
                return try PocketSphinxRecognizer()
            case "wyoming":
                return WyomingRecognizer(
                    endpoint: try wyomingEndpoint(
                        "whisper", uri: settings.wyomingRecognizerURI, command: settings.wyomingRecognizerCommand, warmUp: WyomingRecognizer.warmUp),
                    languages: SettingList.languages(settings.wyomingRecognizerLanguages), partialInterval: settings.wyomingPartialInterval)
            case "openai":
                return OpenAICompatibleRecognizer(api: try openAI(), model: settings.openaiTranscriptionModel, partialInterval: settings.openaiPartialInterval)
            case "aws":
                return AmazonTranscribeRecognizer(service: try aws(), languageCodes: SettingList.map(settings.awsTranscribeLanguages), logger: logger)
            default:
                throw unknown("recognizer", name)
            }
        }
    }

    private func translator(named name: String) throws -> any Translator {
        try once("translator", name) { () throws -> any Translator in
            switch name {
            case "apertium":
                return ApertiumTranslator(catalog: try ApertiumModeCatalog(), logger: logger)
            case "openai":
                return OpenAICompatibleTranslator(api: try openAI(), model: settings.openaiChatModel)
            case "libretranslate":
                return LibreTranslateTranslator(
                    baseURL: try url("libreTranslateURL", settings.libreTranslateURL), apiKey: settings.libreTranslateAPIKey,
                    languages: SettingList.languages(settings.libreTranslateLanguages))
            case "aws":
                return AmazonTranslateTranslator(service: try aws(), languages: SettingList.languages(settings.awsLanguages))
            default:
                throw unknown("translator", name)
            }
        }
    }

    private func synthesizer(named name: String) throws -> any SpeechSynthesizer {
        try once("synthesizer", name) { () throws -> any SpeechSynthesizer in
            switch name {
            case "espeak":
                return try EspeakSynthesizer(logger: logger)
            case "wyoming":
                return WyomingSynthesizer(
                    endpoint: try wyomingEndpoint("piper", uri: settings.wyomingSynthesizerURI, command: settings.wyomingSynthesizerCommand),
                    voices: SettingList.map(settings.wyomingSynthesizerVoices))
            case "openai":
                return OpenAICompatibleSynthesizer(api: try openAI(), model: settings.openaiSpeechModel, voice: settings.openaiSpeechVoice)
            case "aws":
                return AmazonPollySynthesizer(service: try aws(), voices: SettingList.map(settings.awsPollyVoices))
            default:
                throw unknown("synthesizer", name)
            }
        }
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
            region: settings.awsRegion,
            endpoint: settings.awsEndpoint.isEmpty ? nil : try url("awsEndpoint", settings.awsEndpoint, schemes: ["http", "https", "ws", "wss"]))
    }

    private func url(_ name: String, _ text: String, schemes: [String] = ["http", "https"]) throws -> URL {
        guard let url = URL(string: text), let scheme = url.scheme, schemes.contains(scheme), url.host != nil else {
            throw ConfigurationError(description: "\(name) must be a URL starting \(schemes.map { "\($0)://" }.joined(separator: " or ")), not \"\(text)\"")
        }
        return url
    }

    /// A Wyoming service at `uri`, started and supervised from `command` when one is given.
    private func wyomingEndpoint(
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
