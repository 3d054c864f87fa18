import DragomanCore
import DragomanServer
import DragomanSpeech
import Foundation
import Logging
import Testing

/// The whole speech path on the embedded engines: a speaker streams a recorded talk, listeners in
/// three languages read captions and hear speech.
@Suite("Speech pipeline, end to end", .serialized)
struct PipelineEndToEndTests {
    static let engines = Result { try SpeechEngines.embedded(logger: Logger(label: "test-engines")) }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// A fixture's audio, and its reference text.
    static func fixture(_ name: String) throws -> (wav: WAVFile, reference: String) {
        (
            try WAVFile(contentsOf: fixtures.appendingPathComponent("\(name).wav")),
            try String(contentsOf: fixtures.appendingPathComponent("\(name).txt"), encoding: .utf8)
        )
    }

    /// Streams samples as 100 ms binary frames, four times faster than real time (the segmenter
    /// keeps time by samples, not by the clock), then waits until the server has read them all.
    /// Returns what the speaker received meanwhile.
    @discardableResult
    static func stream(_ samples: ArraySlice<Int16>, to speaker: WebSocketTestClient) async throws -> [Message] {
        for start in stride(from: samples.startIndex, to: samples.endIndex, by: 1_600) {
            speaker.send(binary: PCM.littleEndianBytes(samples[start..<min(start + 1_600, samples.endIndex)]))
            try await Task.sleep(for: .milliseconds(25))
        }
        // The server reads the speaker's frames in order, recognizing as it goes: on a loaded
        // machine a slow engine can hold the heartbeat back for a while.
        return try await speaker.barrier(timeout: .seconds(60))
    }

    /// The final captions among `messages`.
    static func finals(_ messages: [Message]) -> [Message] {
        messages.filter { $0.type == "transcript" && $0["isFinal"]?.boolValue == true }
    }

    @Test("a talk reaches listeners in three languages as captions and speech, and is stored")
    func talkInThreeLanguages() async throws {
        let engines = try Self.engines.get()
        let (wav, reference) = try Self.fixture("museum-tour")
        try await TestServer.run(engines: engines, configure: { $0.audioChunksPerSecond = 100 }) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let expectedWord = ["es": "museo", "fr": "musée", "ca": "museu"]
            var listeners: [String: WebSocketTestClient] = [:]
            for language in expectedWord.keys {
                listeners[language] = try await server.listener(sessionId, language: language).client
            }
            // A listener who asked for captions only does not make its language synthesized for it.
            let captionsOnly = server.connect(["action": "joinSession", "sessionId": sessionId, "targetLanguage": "it", "captionsOnly": "true"])
            try await captionsOnly.expect("sessionJoined")

            // The speaker reads its own captions: five sentences, five finals.
            var spoken = Self.finals(try await Self.stream(wav.samples[...], to: speaker))
            while spoken.count < 5 {
                spoken.append(try await speaker.waitFor("transcript", timeout: .seconds(20)) { $0["isFinal"]?.boolValue == true }.message)
            }
            let recognized = spoken.compactMap { $0["text"]?.stringValue }.joined(separator: " ")
            let errorRate = WordErrorRate.rate(reference: reference, hypothesis: recognized)
            #expect(errorRate <= 0.25, "WER \(errorRate): \(recognized)")

            for (language, listener) in listeners {
                var captions: [Message] = []
                var audio: [Int16] = []
                var lastChunkSegments: Set<Int> = []
                // Each segment's speech ends with its last chunk; wait for all five.
                while lastChunkSegments.count < 5 {
                    let message = try await listener.next(timeout: .seconds(20))
                    if message.type == "transcript", message["isFinal"]?.boolValue == true { captions.append(message) }
                    if message.type == "audioData", let base64 = message["audioData"]?.stringValue, let bytes = Data(base64Encoded: base64) {
                        #expect(message["targetLanguage"]?.stringValue == language)
                        #expect(message["format"]?.stringValue == "pcm_s16le")
                        audio += PCM.samples(fromLittleEndian: bytes)
                        if message["isLastChunk"]?.boolValue == true, let segment = message["segmentId"]?.intValue {
                            lastChunkSegments.insert(segment)
                        }
                    }
                }
                #expect(captions.count == 5, "\(language): \(captions)")
                for caption in captions {
                    #expect(caption["targetLanguage"]?.stringValue == language)
                    #expect(caption["text"]?.stringValue != caption["sourceText"]?.stringValue, "\(language) caption is untranslated: \(caption)")
                }
                let text = captions.compactMap { $0["text"]?.stringValue }.joined(separator: " ").lowercased()
                #expect(text.contains(expectedWord[language]!), "\(language): \(text)")
                #expect(PCM.dBFS(audio) > -40, "\(language) audio is silent: \(PCM.dBFS(audio)) dBFS")
                #expect(audio.count > 22_050 * 4, "\(language): only \(audio.count) samples of speech")
            }

            var italian: [Message] = []
            while Self.finals(italian).count < 5 {
                italian.append(try await captionsOnly.next(timeout: .seconds(20)))
            }
            italian += try await captionsOnly.barrier()
            #expect(italian.filter { $0.type == "audioData" }.isEmpty)
            #expect(Self.finals(italian).allSatisfy { $0["targetLanguage"]?.stringValue == "it" })

            // Every final segment was stored, in every language that had listeners.
            let vtt = try await server.http(.GET, "/v1/sessions/\(sessionId)/transcript?language=es&format=vtt")
            #expect(vtt.code == 200)
            #expect(vtt.body.hasPrefix("WEBVTT"))
            #expect(vtt.body.components(separatedBy: " --> ").count == 6)
            let srt = try await server.http(.GET, "/v1/sessions/\(sessionId)/transcript?language=fr&format=srt")
            #expect(srt.body.hasPrefix("1\n00:00:0"))
            let json = try await server.http(.GET, "/v1/sessions/\(sessionId)/transcript?format=json")
            #expect(json.json?["segments"].map { if case .array(let items) = $0 { items.count } else { 0 } } == 5)
            let text = try await server.http(.GET, "/v1/sessions/\(sessionId)/transcript?language=ca&format=txt")
            #expect(text.body.split(separator: "\n").count == 5)
        }
    }

    @Test("pause stops captions and speech until resume; changeLanguage applies from the next segment")
    func pauseResumeAndChangeLanguage() async throws {
        let engines = try Self.engines.get()
        let (wav, _) = try Self.fixture("museum-tour")
        let second = 16_000
        try await TestServer.run(engines: engines, configure: { $0.audioChunksPerSecond = 100 }) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let listener = try await server.listener(sessionId, language: "es").client

            // The first sentence ends before 4 s.
            try await Self.stream(wav.samples[0..<(4 * second)], to: speaker)
            let first = try await listener.waitFor("transcript", timeout: .seconds(20)) { $0["isFinal"]?.boolValue == true }.message
            #expect(first["targetLanguage"]?.stringValue == "es")

            speaker.send(action: "pauseBroadcast")
            try await listener.waitFor("broadcastPaused")
            try await Self.stream(wav.samples[(4 * second)..<(10 * second)], to: speaker)
            // Give the pipeline time to have produced something, had it not been paused.
            try await Task.sleep(for: .seconds(2))
            let duringPause = try await listener.barrier()
            #expect(duringPause.filter { $0.type == "transcript" || $0.type == "audioData" }.isEmpty, "\(duringPause)")

            listener.send(action: "changeLanguage", ["targetLanguage": "fr"])
            let changed = try await listener.waitFor("languageChanged").message
            #expect(changed["targetLanguage"]?.stringValue == "fr")
            #expect(changed["previousLanguage"]?.stringValue == "es")

            speaker.send(action: "resumeBroadcast")
            try await listener.waitFor("broadcastResumed")
            try await Self.stream(wav.samples[(10 * second)...], to: speaker)
            let afterResume = try await listener.waitFor("transcript", timeout: .seconds(20)) { $0["isFinal"]?.boolValue == true }.message
            #expect(afterResume["targetLanguage"]?.stringValue == "fr")
            #expect(afterResume["text"]?.stringValue?.isEmpty == false)
        }
    }
}

extension PipelineEndToEndTests {
    @Test("a language whose only listener dropped is still translated, so the listener catches up")
    func droppedListenerCatchesUp() async throws {
        let engines = try Self.engines.get()
        let (wav, _) = try Self.fixture("museum-tour")
        try await TestServer.run(engines: engines, configure: { $0.audioChunksPerSecond = 100 }) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let listener = try await server.listener(sessionId, language: "ca").client
            await listener.disconnect()
            // Nobody listens in Catalan now; the talk goes on.
            var spoken = Self.finals(try await Self.stream(wav.samples[...], to: speaker))
            while spoken.count < 5 {
                spoken.append(try await speaker.waitFor("transcript", timeout: .seconds(20)) { $0["isFinal"]?.boolValue == true }.message)
            }
            // The listener comes back and reads what it missed from the stored transcript.
            var caught: [Substring] = []
            for _ in 0..<40 where caught.count < 5 {
                caught = try await server.http(.GET, "/v1/sessions/\(sessionId)/transcript?language=ca&format=txt").body.split(separator: "\n")
                if caught.count < 5 { try await Task.sleep(for: .milliseconds(250)) }
            }
            #expect(caught.count == 5)
            #expect(caught.joined(separator: " ").lowercased().contains("museu"))
        }
    }
}
