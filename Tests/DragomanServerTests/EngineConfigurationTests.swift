import DragomanCore
import DragomanSpeech
import Logging
import Testing

@testable import DragomanServer

/// The engine settings: which engine serves which language, read and checked at start.
@Suite("Engine configuration")
struct EngineConfigurationTests {
    @Test func aChoiceNamesADefaultAndEnginesPerLanguage() throws {
        let choice = try EngineChoice(parsing: "espeak, en=wyoming,DE=aws", known: EngineChoice.synthesizers)
        #expect(choice.defaultEngine == "espeak")
        #expect(choice.byLanguage == ["en": "wyoming", "de": "aws"])
        #expect(choice.engines == ["espeak", "wyoming", "aws"])
        let only = try EngineChoice(parsing: "en=wyoming", known: EngineChoice.recognizers)
        #expect(only.defaultEngine == nil)
        for bad in ["", "festival", "espeak,wyoming", "en=", "=wyoming", "en=wyoming=x"] {
            #expect(throws: ConfigurationError.self, "\"\(bad)\"") { try EngineChoice(parsing: bad, known: EngineChoice.synthesizers) }
        }
    }

    @Test func aMisspeltEngineStopsTheServerAtStart() throws {
        #expect(throws: ConfigurationError.self) { try ConfigurationReader(environment: ["DRAGOMAN_SYNTHESIZER": "espeak,en=piper"]).read() }
        let settings = try ConfigurationReader(environment: ["DRAGOMAN_SYNTHESIZER": "espeak,en=wyoming"]).read()
        #expect(settings.engineSettings.synthesizer == "espeak,en=wyoming")
    }

    @Test func languagesGoToTheirEngineAndSidecarsWithACommandAreSupervised() throws {
        var settings = EngineSettings()
        settings.synthesizer = "espeak,en=wyoming"
        settings.wyomingSynthesizerVoices = "en=en_US-joe-medium"
        settings.wyomingSynthesizerCommand = "wyoming-piper --uri tcp://127.0.0.1:10200"
        let engines = try SpeechEngines.configured(settings, logger: Logger(label: "test"))
        #expect(engines.sidecars.map(\.name) == ["piper"])
        #expect(engines.catalog.sources == [LanguageCode("en")!])
        #expect(engines.canSpeak(LanguageCode("en")!))
        #expect(engines.canSpeak(LanguageCode("es")!))

        settings.wyomingSynthesizerCommand = ""
        #expect(try SpeechEngines.configured(settings, logger: Logger(label: "test")).sidecars.isEmpty)
        settings.wyomingSynthesizerURI = "localhost:10200"
        #expect(throws: ConfigurationError.self) { try SpeechEngines.configured(settings, logger: Logger(label: "test")) }
    }

    @Test func aLanguageOnlyNamedIsTheOnlyOneServed() throws {
        var settings = EngineSettings()
        settings.recognizer = "en=wyoming"
        settings.wyomingRecognizerLanguages = "en,de"
        let engines = try SpeechEngines.configured(settings, logger: Logger(label: "test"))
        #expect(engines.recognizer.supportedLanguages == ["en"])
    }
}

/// `ENGINE|ENGINE`: the next engine stands in when one fails, and the one that failed rests.
@Suite("Engine fallback")
struct EngineFallbackTests {
    /// Counts the sessions it was asked for, and fails them all.
    final class CountingFailure: SpeechRecognizer, @unchecked Sendable {
        var attempts = 0
        var supportedLanguages: Set<String> { ["en"] }
        func makeSession(language: String) async throws -> any RecognitionSession {
            attempts += 1
            throw FakeEngines.Broken()
        }
    }

    @Test func aFailedEngineIsStoodInForAndRests() async throws {
        let down = CountingFailure()
        let recognizer = FallbackRecognizer([(name: "down", engine: down), (name: "fake", engine: FakeEngines.Recognizer())], logger: Logger(label: "test"))
        #expect(recognizer.supportedLanguages == ["en"])
        for _ in 0..<3 { _ = try await recognizer.makeSession(language: "en") }
        #expect(down.attempts == 1, "the engine that failed is passed over while it rests")
        await #expect(throws: FakeEngines.Broken.self) {
            try await FallbackRecognizer([(name: "down", engine: down)], logger: Logger(label: "test")).makeSession(language: "en")
        }
    }

    @Test func aChainIsConfiguredWithABar() throws {
        let choice = try EngineChoice(parsing: "espeak,en=wyoming|espeak", known: EngineChoice.synthesizers)
        #expect(choice.byLanguage["en"] == "wyoming|espeak")
        #expect(choice.engines == ["wyoming", "espeak"])
        #expect(throws: ConfigurationError.self) { try EngineChoice(parsing: "en=wyoming|piper", known: EngineChoice.synthesizers) }
        var settings = EngineSettings()
        settings.recognizer = "wyoming|pocketsphinx"
        settings.wyomingRecognizerCommand = "/nonexistent/whisper-sidecar"
        let engines = try SpeechEngines.configured(settings, logger: Logger(label: "test"))
        #expect(engines.recognizer.supportedLanguages == ["en"])
        #expect(engines.sidecars.count == 1)
    }
}
