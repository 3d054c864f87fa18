import DragomanSpeech
import Testing

@Suite struct OpusTests {
    @Test("a fixture sentence survives Opus: the same length within one frame, and not silent")
    func roundTrip() throws {
        let audio = try Fixture(name: "museum-tour").audio()
        // The first sentence ends before 4 s.
        let sentence = Array(audio.samples.prefix(4 * audio.sampleRate))
        let encoder = try OpusEncoder(inputRate: audio.sampleRate)
        var packets: [[UInt8]] = []
        // Uneven chunks, so frames straddle chunk boundaries.
        for start in stride(from: 0, to: sentence.count, by: 1_234) {
            packets += try encoder.encode(Array(sentence[start..<min(start + 1_234, sentence.count)]))
        }
        packets += try encoder.finish()
        let decoder = try OpusDecoder()
        var decoded: [Int16] = []
        for packet in packets { decoded += try decoder.decode(packet) }

        let sourceSeconds = Double(sentence.count) / Double(audio.sampleRate)
        let decodedSeconds = Double(decoded.count) / Double(decoder.sampleRate)
        #expect(abs(decodedSeconds - sourceSeconds) <= 0.02, "\(decodedSeconds) s decoded from \(sourceSeconds) s")
        let bitsPerSecond = Double(packets.reduce(0) { $0 + $1.count } * 8) / decodedSeconds
        #expect(bitsPerSecond < Double(OpusEncoder.defaultBitrate) * 1.5, "\(bitsPerSecond) bit/s")
        #expect(PCM.dBFS(decoded) > -40, "decoded audio is silent: \(PCM.dBFS(decoded)) dBFS")
        #expect(abs(PCM.dBFS(decoded) - PCM.dBFS(sentence)) < 6)
    }

    @Test("finishing an empty stream gives no packets; a short one gives one padded frame")
    func padding() throws {
        #expect(try OpusEncoder(inputRate: 22_050).finish().isEmpty)
        let encoder = try OpusEncoder(inputRate: 22_050)
        #expect(try encoder.encode([Int16](repeating: 500, count: 100)).isEmpty)
        let packets = try encoder.finish()
        #expect(packets.count == 1)
        #expect(try OpusDecoder().decode(packets[0]).count == OpusEncoder.frameLength)
    }

    @Test func badPacketThrows() throws {
        #expect(throws: OpusError.self) { try OpusDecoder().decode([0xFF, 0xFF, 0xFF]) }
    }
}
