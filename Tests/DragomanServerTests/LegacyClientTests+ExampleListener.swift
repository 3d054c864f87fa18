import DragomanCore
import DragomanServer
import DragomanSpeech
import Foundation
import Testing

/// The replaced design's example listeners play each `audioData` with `decodeAudioData`
/// (session-management/examples/javascript-client/listener-client.js, `playAudio`, commit
/// f267b0f961698957fa01423db5ccde8680a0b8f6), which decodes files: they get each unit of speech
/// as one WAV file. Tests/Browser/test_example_listener.py plays them in Chromium.
@Suite("Clients of the replaced design: the example listeners' speech")
struct LegacyExampleListenerTests {
    /// The WAV file an example listener's `audioData` holds, with the message.
    static func wavMessage(_ client: WebSocketTestClient) async throws -> (message: Message, wav: WAVFile) {
        let message = try await client.waitFor("audioData", timeout: .seconds(20)).message
        #expect(message["format"]?.stringValue == "wav")
        #expect(message["chunkIndex"]?.intValue == 0)
        #expect(message["isLastChunk"]?.boolValue == true)
        let bytes = try #require(Data(base64Encoded: message["audioData"]?.stringValue ?? ""))
        return (message, try WAVFile(bytes: [UInt8](bytes)))
    }

    @Test("an example listener gets a unit of speech as one audioData holding its whole WAV file, at the synthesizer's rate")
    func unitAsWAV() async throws {
        let engines = SpeechEngines(recognizer: FakeEngines.Recognizer(hears: "Good evening."), translator: FakeEngines.Translator(), synthesizer: Tone22k())
        try await TestServer.run(engines: engines, configure: LegacyClientTests.generous) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            // listener_client.py and listener-client.js, `connect`: these three only.
            let example = server.connect(["action": "joinSession", "sessionId": sessionId, "targetLanguage": "es"])
            try await example.expect("sessionJoined")
            let (native, _) = try await server.listener(sessionId)
            try await speaker.speak(ToneFrames.utterance(seconds: 0.6, pause: 1.2))

            // Dragoman's own listener gets the unit in chunks.
            var chunks: [Int16] = []
            var segment = -1
            while true {
                let message = try await native.waitFor("audioData", timeout: .seconds(20)).message
                chunks += PCM.samples(fromLittleEndian: try #require(Data(base64Encoded: message["audioData"]?.stringValue ?? "")))
                segment = message["segmentId"]?.intValue ?? -1
                if message["isLastChunk"]?.boolValue == true { break }
            }
            #expect(chunks.count > 4_410)
            let (message, wav) = try await Self.wavMessage(example)
            #expect(message["segmentId"]?.intValue == segment)
            #expect(message["sampleRate"]?.intValue == 22_050)
            #expect(wav.sampleRate == 22_050)
            #expect(wav.samples == chunks)
            // One message for the whole unit.
            #expect(try await example.barrier().allSatisfy { $0.type != "audioData" })
            await speaker.disconnect()
        }
    }

    @Test("an example listener of the floor gets each chunk of the speaker's voice as a WAV file of its own")
    func floorChunksAsWAV() async throws {
        try await TestServer.run(configure: LegacyClientTests.generous) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let example = server.connect(["action": "joinSession", "sessionId": sessionId, "targetLanguage": "original"])
            try await example.expect("sessionJoined")
            let frames = (0..<3).map { frame in (0..<320).map { Int16(truncatingIfNeeded: frame * 1_000 + $0) } }
            for frame in frames { speaker.send(binary: PCM.littleEndianBytes(frame)) }
            for frame in frames {
                let (message, wav) = try await Self.wavMessage(example)
                #expect(message["floor"]?.boolValue == true)
                #expect(wav.sampleRate == 16_000)
                #expect(wav.samples == frame)
            }
            await speaker.disconnect()
        }
    }
}
