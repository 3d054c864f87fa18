import DragomanCore
import DragomanServer
import DragomanSpeech
import Foundation
import Testing

/// Listeners who ask for `audioFormat=opus` get speech as binary `OpusAudioFrame`s; the others
/// still get `audioData` PCM.
@Suite("Opus speech to listeners", .serialized)
struct OpusListenerTests {
    @Test("an Opus and a PCM listener of one language hear the same segment, in their own formats")
    func opusAndPCMListeners() async throws {
        let engines = try PipelineEndToEndTests.engines.get()
        let (wav, _) = try PipelineEndToEndTests.fixture("museum-tour")
        try await TestServer.run(engines: engines, configure: { $0.audioChunksPerSecond = 100 }) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let pcmListener = try await server.listener(sessionId, language: "es").client
            let opusListener = server.connect(["action": "joinSession", "sessionId": sessionId, "targetLanguage": "es", "audioFormat": "opus"])
            try await opusListener.expect("sessionJoined")

            // The first sentence ends before 4 s.
            try await PipelineEndToEndTests.stream(wav.samples[0..<64_000], to: speaker)

            var pcm: [Int16] = []
            var pcmRate = 0
            var pcmBytes = 0
            while true {
                let message = try await pcmListener.next(timeout: .seconds(20))
                guard message.type == "audioData", let base64 = message["audioData"]?.stringValue, let bytes = Data(base64Encoded: base64) else { continue }
                pcmBytes += message.text.utf8.count
                pcmRate = message["sampleRate"]?.intValue ?? 0
                pcm += PCM.samples(fromLittleEndian: bytes)
                if message["isLastChunk"]?.boolValue == true { break }
            }

            let decoder = try OpusDecoder()
            var decoded: [Int16] = []
            var opusBytes = 0
            var sequences: [UInt32] = []
            listening: while true {
                switch try await opusListener.inbox.next(timeout: .seconds(20)) {
                case .text(let text):
                    #expect(Message(text: text)?.type != "audioData", "an Opus listener got PCM")
                case .binary(let bytes):
                    let frame = try #require(OpusAudioFrame(bytes: bytes))
                    #expect(frame.language.rawValue == "es")
                    #expect(frame.sampleRate == UInt32(decoder.sampleRate))
                    opusBytes += bytes.count
                    sequences.append(frame.sequence)
                    for packet in frame.packets { decoded += try decoder.decode(packet) }
                    if frame.isLastOfSegment { break listening }
                }
            }
            #expect(sequences == sequences.sorted() && Set(sequences).count == sequences.count)

            let pcmSeconds = Double(pcm.count) / Double(pcmRate)
            let opusSeconds = Double(decoded.count) / Double(decoder.sampleRate)
            #expect(pcmSeconds > 0.5, "only \(pcmSeconds) s of speech")
            #expect(abs(opusSeconds - pcmSeconds) <= 0.04, "Opus \(opusSeconds) s, PCM \(pcmSeconds) s")
            #expect(PCM.dBFS(decoded) > -40, "Opus speech is silent: \(PCM.dBFS(decoded)) dBFS")
            #expect(opusBytes * 10 < pcmBytes, "Opus \(opusBytes) bytes, PCM \(pcmBytes) bytes")
            print(
                String(
                    format: "Speech of one segment, %.2f s: PCM listener %d bytes (%.0f B/s), Opus listener %d bytes (%.0f B/s)",
                    pcmSeconds, pcmBytes, Double(pcmBytes) / pcmSeconds, opusBytes, Double(opusBytes) / opusSeconds))
        }
    }

    @Test("an audioFormat other than pcm or opus is refused")
    func unknownAudioFormat() async throws {
        try await TestServer.run { server in
            let (_, sessionId, _) = try await server.speaker()
            let listener = server.connect(["action": "joinSession", "sessionId": sessionId, "targetLanguage": "es", "audioFormat": "mp3"])
            try await listener.expectError("INVALID_AUDIO_FORMAT")
            #expect(try await listener.closeCode() == .policyViolation)
        }
    }
}
