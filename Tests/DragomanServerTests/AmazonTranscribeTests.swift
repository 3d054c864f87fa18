import DragomanSpeech
import Foundation
import Logging
import Testing

/// `AmazonTranscribeRecognizer` against `FakeTranscribe`, a local WebSocket server that plays
/// Transcribe streaming (no AWS account is reachable from here): the presigned URL, the audio
/// events, partial results while the speech goes on, the final ones at its end, exceptions.
@Suite("Amazon Transcribe streaming")
struct AmazonTranscribeTests {
    static let credentials = AWSCredentials(accessKeyID: "AKIDTEST", secretAccessKey: "secret", sessionToken: "session/token+1")

    /// A recognizer whose endpoint is the fake's, given as `ws://`.
    static func recognizer(_ base: URL, finishTimeout: Duration = .seconds(10)) throws -> AmazonTranscribeRecognizer {
        let port = try #require(base.port)
        let endpoint = try #require(URL(string: "ws://127.0.0.1:\(port)"))
        return AmazonTranscribeRecognizer(
            service: AWSService(credentials: credentials, region: "eu-west-1", endpoint: endpoint), languageCodes: ["en": "en-GB", "es": "es-US"],
            finishTimeout: finishTimeout, logger: Logger(label: "transcribe-test"))
    }

    @Test func partialResultsWhileFedAndTheFinalOnesAtTheEnd() async throws {
        let fake = FakeTranscribe(answer: .transcript(partial: "Good morning", finals: ["Good morning, everyone.", "Welcome to the museum."]))
        let speech = ToneFrames.utterance(seconds: 0.5, pause: 0.25)
        try await FakeSpeechServices().run(transcribe: fake) { base in
            let session = try await Self.recognizer(base).makeSession(language: "en-GB")
            // Nothing has been heard before the first audio is sent.
            #expect(try await session.feed(speech) == nil)
            var partial: String?
            for _ in 0..<200 where partial == nil {
                try await Task.sleep(for: .milliseconds(25))
                partial = try await session.feed([])
            }
            #expect(partial == "Good morning")
            #expect(try await session.finish() == "Good morning, everyone. Welcome to the museum.")
        }
        let stream = try #require(await fake.streams.first)
        #expect(stream.query["language-code"] == "en-GB")
        #expect(stream.query["media-encoding"] == "pcm")
        #expect(stream.query["sample-rate"] == "16000")
        #expect(stream.query["enable-partial-results-stabilization"] == "true")
        #expect(stream.query["partial-results-stability"] == "high")
        #expect(stream.query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256")
        let credential = try #require(stream.query["X-Amz-Credential"])
        #expect(credential.hasPrefix("AKIDTEST/") && credential.hasSuffix("/eu-west-1/transcribe/aws4_request"), "\(credential)")
        #expect(stream.query["X-Amz-SignedHeaders"] == "host")
        #expect(stream.query["X-Amz-Expires"] == "300")
        #expect(stream.query["X-Amz-Security-Token"] == "session/token+1")
        #expect(stream.query["X-Amz-Signature"]?.count == 64)
        #expect(stream.unexpected.isEmpty, "\(stream.unexpected)")
        // The speech in events of at most 100 ms, then the empty one that ends it.
        #expect(stream.audioBytes == speech.count * 2)
        #expect(stream.audioEvents == (speech.count + 1_599) / 1_600 + 1)
        #expect(stream.ended)
    }

    @Test func anExceptionFromTranscribeIsAnError() async throws {
        let fake = FakeTranscribe(
            answer: .exception(type: "BadRequestException", message: "Your request timed out because no new audio was received for 15 seconds."))
        try await FakeSpeechServices().run(transcribe: fake) { base in
            let session = try await Self.recognizer(base).makeSession(language: "es")
            _ = try await session.feed(ToneFrames.utterance(seconds: 0.2, pause: 0))
            let error = await #expect(throws: AmazonTranscribeError.self) { try await session.finish() }
            guard case .exception(let type, let message) = error else {
                Issue.record("\(String(describing: error))")
                return
            }
            #expect(type == "BadRequestException")
            #expect(message.hasPrefix("Your request timed out"))
            #expect("\(error!)".contains("BadRequestException"))
        }
        #expect(await fake.streams.first?.query["language-code"] == "es-US")
    }

    @Test func aStreamThatDoesNotEndTimesOut() async throws {
        try await FakeSpeechServices().run(transcribe: FakeTranscribe(answer: .nothing)) { base in
            let session = try await Self.recognizer(base, finishTimeout: .milliseconds(300)).makeSession(language: "en")
            _ = try await session.feed(ToneFrames.utterance(seconds: 0.2, pause: 0))
            let started = ContinuousClock.now
            let error = await #expect(throws: AmazonTranscribeError.self) { try await session.finish() }
            guard case .timedOut = error else {
                Issue.record("\(String(describing: error))")
                return
            }
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    @Test func aLanguageWithoutACodeOrARefusedStreamFailsToStart() async throws {
        let fake = FakeTranscribe(answer: .transcript(partial: "", finals: []))
        try await FakeSpeechServices().run(transcribe: fake) { base in
            let recognizer = try Self.recognizer(base)
            #expect(recognizer.supportedLanguages == ["en", "es"])
            await #expect(throws: UnconfiguredLanguage.self) { try await recognizer.makeSession(language: "de") }
            // A path the fake does not upgrade, as AWS refuses a URL whose signature does not hold.
            let elsewhere = AmazonTranscribeRecognizer(
                service: AWSService(credentials: Self.credentials, region: "eu-west-1", endpoint: base.appendingPathComponent("elsewhere")),
                languageCodes: ["en": "en-US"], logger: Logger(label: "transcribe-test"))
            await #expect(throws: (any Error).self) { try await elsewhere.makeSession(language: "en") }
        }
        #expect(await fake.streams.isEmpty)
    }
}
