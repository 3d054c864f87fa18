import DragomanCore
@testable import DragomanServer
import DragomanSpeech
import Logging
import Testing

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
