import DragomanCore
import DragomanSpeech
import Foundation
import Testing

/// Listeners of the session's own language (or `original`) hear the speaker's voice, relayed as
/// it arrives, in order and complete.
@Suite("Floor audio")
struct FloorAudioTests {
    @Test("a floor listener gets every frame the speaker sent, in order, unchanged; `original` names the session's language")
    func floorListenersGetTheSpeakersFrames() async throws {
        try await TestServer.run(configure: { $0.audioChunksPerSecond = 1_000 }) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (floor, joined) = try await server.listener(sessionId, language: "en")
            #expect(joined["targetLanguage"]?.stringValue == "en")
            #expect(joined["voice"]?.stringValue == "floor")
            // `audioFormat`, as Dragoman's own clients name it: a bare connect is the replaced design's
            // example listener, which gets each chunk as a WAV file (LegacyClientTests).
            let original = server.connect(["action": "joinSession", "sessionId": sessionId, "targetLanguage": "original", "audioFormat": "pcm"])
            #expect(try await original.expect("sessionJoined")["targetLanguage"]?.stringValue == "en")
            let translated = try await server.listener(sessionId, language: "es").client

            let frames = (0..<25).map { frame in (0..<320).map { Int16(truncatingIfNeeded: frame * 1_000 + $0) } }
            for frame in frames { speaker.send(binary: PCM.littleEndianBytes(frame)) }
            try await speaker.barrier()

            for listener in [floor, original] {
                var received: [[Int16]] = []
                var sequences: [Int] = []
                while received.count < frames.count {
                    let message = try await listener.waitFor("audioData").message
                    #expect(message["floor"]?.boolValue == true)
                    #expect(message["sampleRate"]?.intValue == 16_000)
                    #expect(message["targetLanguage"]?.stringValue == "en")
                    sequences.append(message["sequence"]?.intValue ?? 0)
                    received.append(PCM.samples(fromLittleEndian: Data(base64Encoded: message["audioData"]?.stringValue ?? "") ?? Data()))
                }
                #expect(received == frames)
                #expect(sequences == sequences.sorted() && Set(sequences).count == sequences.count)
            }
            // Other languages do not hear the floor.
            #expect(try await translated.barrier().allSatisfy { $0.type != "audioData" })
        }
    }

    @Test("an Opus floor listener gets the speaker's voice encoded once, as long as what was sent")
    func opusFloor() async throws {
        try await TestServer.run(configure: { $0.audioChunksPerSecond = 1_000 }) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let listener = server.connect(["action": "joinSession", "sessionId": sessionId, "targetLanguage": "en", "audioFormat": "opus"])
            try await listener.expect("sessionJoined")
            let tone = ToneFrames.utterance(seconds: 1, pause: 0)
            try await speaker.speak(tone)
            let decoder = try OpusDecoder()
            var decoded: [Int16] = []
            while decoded.count < (tone.count * decoder.sampleRate / 16_000) - 2 * OpusEncoder.frameLength {
                guard case .binary(let bytes) = try await listener.inbox.next(timeout: .seconds(15)) else { continue }
                let frame = try #require(OpusAudioFrame(bytes: bytes))
                #expect(frame.language.rawValue == "en")
                for packet in frame.packets { decoded += try decoder.decode(packet) }
            }
            #expect(PCM.dBFS(decoded) > -30)
        }
    }
}
