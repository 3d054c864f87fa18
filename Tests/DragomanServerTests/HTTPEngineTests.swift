import DragomanCore
import DragomanServer
import DragomanSpeech
import Foundation
import Logging
import Testing

/// The HTTP engines against a local fake of each service (`FakeSpeechServices`): the requests
/// they make and how they read the answers, and a server configured with them. No real service
/// is reachable from here.
@Suite("HTTP engines: OpenAI-compatible, LibreTranslate, Amazon")
struct HTTPEngineTests {
    static func collect(_ speech: SynthesizedSpeech) async throws -> [Int16] {
        var samples: [Int16] = []
        for try await chunk in speech.chunks { samples += chunk }
        return samples
    }

    @Test func openAICompatibleEnginesUseTheirEndpoints() async throws {
        let fake = FakeSpeechServices()
        try await fake.run { base in
            let api = OpenAICompatibleAPI(baseURL: base.appendingPathComponent("v1"), apiKey: "test-key", languages: ["en", "es"])
            let recognition = try OpenAICompatibleRecognizer(api: api, model: "whisper-1").makeSession(language: "en-US")
            #expect(try await recognition.feed([Int16](repeating: 0, count: 16_000)) == nil)
            #expect(try await recognition.finish() == " Good morning, everyone. ")

            let translator = OpenAICompatibleTranslator(api: api, model: "gpt-4o-mini")
            let glossary = Glossary(terms: [Glossary.Term(source: "Dragoman"), Glossary.Term(source: "Main Street", translations: ["es": "Calle Mayor"])])
            let translated = try await translator.translate("Good morning from Dragoman on Main Street.", from: "en", to: "es", glossary: glossary)
            #expect(translated == "Buenos días a todos.")
            #expect(translator.supportedPairs == [TranslationPair(source: "en", target: "es"), TranslationPair(source: "es", target: "en")])

            let speech = try await OpenAICompatibleSynthesizer(api: api, model: "tts-1", voice: "alloy").synthesize("Hola", language: "es")
            #expect(speech.sampleRate == 24_000)
            #expect(try await Self.collect(speech).count == 2_400)
            await #expect(throws: UnconfiguredLanguage.self) { try await translator.translate("Hi", from: "en", to: "de") }
        }
        let received = await fake.received
        #expect(received.map(\.path) == ["/v1/audio/transcriptions", "/v1/chat/completions", "/v1/audio/speech"])
        #expect(received.allSatisfy { $0.headers["authorization"] == "Bearer test-key" })
        let upload = received[0]
        #expect(upload.headers["content-type"]?.hasPrefix("multipart/form-data; boundary=") == true)
        #expect(upload.text.contains("name=\"model\"\r\n\r\nwhisper-1"))
        #expect(upload.text.contains("name=\"language\"\r\n\r\nen"))
        #expect(upload.text.contains("filename=\"segment.wav\""))
        #expect(upload.body.count > 32_000, "a second of 16 kHz audio as WAV")
        let chat = try #require(received[1].json)
        guard case .array(let messages) = chat["messages"], messages.count == 2 else {
            Issue.record("messages: \(chat)")
            return
        }
        let system = try #require(messages[0]["content"]?.stringValue)
        #expect(system.contains("Keep these terms exactly as they are: \"Dragoman\""))
        #expect(system.contains("Translate \"Main Street\" as \"Calle Mayor\""))
        #expect(messages[1]["content"]?.stringValue == "Good morning from Dragoman on Main Street.")
        #expect(received[2].json?["response_format"]?.stringValue == "pcm")
    }

    @Test("the openai recognizer with a partial interval transcribes the segment under way, one request at a time")
    func openAICompatibleRecognizerRedecodes() async throws {
        let fake = FakeSpeechServices()
        try await fake.run { base in
            var hypotheses: [String] = []
            let api = OpenAICompatibleAPI(baseURL: base.appendingPathComponent("v1"), apiKey: "", languages: ["en"])
            let recognition = try OpenAICompatibleRecognizer(api: api, model: "whisper-1", partialInterval: 0.5).makeSession(language: "en")
            #expect(recognition.unitWordLimit == 10)
            // 2 s of audio in 0.1 s chunks at real time.
            for _ in 0..<20 {
                if let text = try await recognition.feed([Int16](repeating: 0, count: 1_600)) { hypotheses.append(text) }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(try await recognition.finish() == " Good morning, everyone. ")
            #expect(hypotheses.count >= 2, "\(hypotheses)")
            #expect(hypotheses.allSatisfy { $0 == " Good morning, everyone. " })
        }
        // Each upload holds the window heard so far: they grow, and the last is the whole segment.
        let uploads = await fake.received.map(\.body.count)
        #expect(uploads.count >= 3, "\(uploads)")
        #expect(zip(uploads, uploads.dropFirst()).allSatisfy { $0 <= $1 }, "\(uploads)")
        #expect(uploads.first.map { $0 >= 16_000 } == true, "half a second at least: \(uploads)")
        #expect(uploads.last.map { $0 > 64_000 } == true, "two seconds of 16 kHz audio as WAV: \(uploads)")
        let unreachable = OpenAICompatibleAPI(baseURL: URL(string: "http://127.0.0.1:1")!, apiKey: "", languages: ["en"])
        let finalOnly = OpenAICompatibleRecognizer(api: unreachable, model: "m")
        #expect(try finalOnly.makeSession(language: "en").unitWordLimit == nil)
    }

    @Test func libreTranslateWithItsKeyAndAGlossaryByPostProcessing() async throws {
        let fake = FakeSpeechServices()
        try await fake.run { base in
            let translator = LibreTranslateTranslator(baseURL: base, apiKey: "libre-key", languages: ["en", "es", "fr"])
            #expect(try await translator.translate("Good morning", from: "en", to: "es") == "Buenos días")
            _ = try await translator.translate("Welcome to Dragoman", from: "en", to: "fr", glossary: Glossary(terms: [Glossary.Term(source: "Dragoman")]))
        }
        let received = await fake.received
        #expect(received.first?.json == ["q": "Good morning", "source": "en", "target": "es", "format": "text", "api_key": "libre-key"])
        // The term went out as a placeholder, to be put back in the answer.
        #expect(received.last?.json?["q"]?.stringValue?.contains("Dragoman") == false)
    }

    @Test func amazonTranslateAndPollyAreSignedForTheirService() async throws {
        let fake = FakeSpeechServices()
        try await fake.run { base in
            let aws = AWSService(credentials: AWSCredentials(accessKeyID: "AKIDTEST", secretAccessKey: "secret"), region: "eu-west-1", endpoint: base)
            #expect(
                try await AmazonTranslateTranslator(service: aws, languages: ["en", "es"]).translate("Good morning", from: "en", to: "es") == "Buenos días")
            let speech = try await AmazonPollySynthesizer(service: aws, voices: ["es": "Lucia"]).synthesize("Buenos días", language: "es")
            #expect(speech.sampleRate == 16_000)
            #expect(try await Self.collect(speech).count == 1_600)
        }
        let received = await fake.received
        let translate = try #require(received.first)
        #expect(translate.headers["x-amz-target"] == "AWSShineFrontendService_20170701.TranslateText")
        #expect(translate.json == ["Text": "Good morning", "SourceLanguageCode": "en", "TargetLanguageCode": "es"])
        #expect(translate.headers["authorization"]?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDTEST/") == true)
        #expect(
            translate.headers["authorization"]?.contains("/eu-west-1/translate/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target,") == true)
        let polly = try #require(received.last)
        #expect(polly.path == "/v1/speech")
        #expect(polly.json == ["OutputFormat": "pcm", "SampleRate": "16000", "Text": "Buenos días", "VoiceId": "Lucia"])
        #expect(polly.headers["authorization"]?.contains("/eu-west-1/polly/aws4_request") == true)
    }

    @Test func aServerConfiguredForAWSCaptionsASpeakerThroughTranscribe() async throws {
        let transcribe = FakeTranscribe(answer: .transcript(partial: "Good morning", finals: ["Good morning, everyone."]))
        let fake = FakeSpeechServices()
        try await fake.run(transcribe: transcribe) { base in
            var settings = EngineSettings()
            (settings.recognizer, settings.translator, settings.synthesizer) = ("aws", "aws", "aws")
            (settings.awsAccessKeyID, settings.awsSecretAccessKey, settings.awsRegion) = ("AKIDTEST", "secret", "eu-west-1")
            // One endpoint for all three: Transcribe's WebSocket, Translate and Polly over HTTP.
            settings.awsEndpoint = "ws://127.0.0.1:\(try #require(base.port))"
            let engines = try SpeechEngines.configured(settings, logger: Logger(label: "test"))
            try await TestServer.run(engines: engines, configure: { $0.audioChunksPerSecond = 1_000 }) { server in
                let (speaker, sessionId, _) = try await server.speaker()
                let listener = try await server.listener(sessionId, language: "es").client
                try await speaker.speak(ToneFrames.utterance(seconds: 1, pause: 1))
                let caption = try await listener.waitFor("transcript", timeout: .seconds(20)) { $0["isFinal"]?.boolValue == true }.message
                #expect(caption["sourceText"]?.stringValue == "Good morning, everyone.")
                #expect(caption["text"]?.stringValue == "Buenos días")
            }
        }
        let stream = try #require(await transcribe.streams.first)
        #expect(stream.query["language-code"] == "en-US")
        #expect(stream.audioBytes > 16_000 * 2, "a second of speech and more")
        #expect(stream.ended)
        #expect(await fake.received.contains { $0.json?["Text"]?.stringValue == "Good morning, everyone." })
    }

    @Test func theConfigurationChoosesHTTPEnginesPerLanguage() throws {
        var settings = EngineSettings()
        settings.translator = "apertium,de=libretranslate"
        settings.synthesizer = "espeak,de=openai"
        settings.libreTranslateLanguages = "en,de"
        settings.openaiLanguages = "de"
        let engines = try SpeechEngines.configured(settings, logger: Logger(label: "test"))
        #expect(engines.catalog.targets.contains(LanguageCode("de")!))
        #expect(engines.translator.supportedPairs.contains(TranslationPair(source: "en", target: "de")))
        #expect(engines.synthesizer.supportedLanguages.contains("de"))
        settings.translator = "aws"
        #expect(throws: ConfigurationError.self) { try SpeechEngines.configured(settings, logger: Logger(label: "test")) }
        (settings.awsAccessKeyID, settings.awsSecretAccessKey) = ("AKIDTEST", "secret")
        settings.recognizer = "pocketsphinx,fr=aws"
        settings.awsTranscribeLanguages = "fr=fr-CA"
        #expect(try SpeechEngines.configured(settings, logger: Logger(label: "test")).recognizer.supportedLanguages == ["en", "fr"])
        settings.awsEndpoint = "ftp://127.0.0.1"
        #expect(throws: ConfigurationError.self) { try SpeechEngines.configured(settings, logger: Logger(label: "test")) }
    }
}
