import DragomanCore
import Testing

@Suite struct OpusAudioFrameTests {
    @Test func roundTrip() throws {
        let frame = OpusAudioFrame(
            language: try #require(LanguageCode("fr")), segmentId: 7, sequence: 70_000, sampleRate: 24_000, publishedAt: 1_795_000_000_123,
            isLastOfSegment: true,
            packets: [[1, 2, 3], [], Array(repeating: 9, count: 300)])
        let bytes = frame.encoded()
        #expect(Array(bytes[0..<6]) == [0x4F, 2, 1, 2, UInt8(ascii: "f"), UInt8(ascii: "r")])
        #expect(Array(bytes[6..<10]) == [0, 0, 0, 7])
        #expect(bytes.count == 26 + 3 * 2 + 3 + 300)
        #expect(OpusAudioFrame(bytes: bytes) == frame)
    }

    @Test func rejectsWhatIsNotAFrame() {
        #expect(OpusAudioFrame(bytes: [UInt8]()) == nil)
        #expect(OpusAudioFrame(bytes: Array("{\"type\":1}".utf8)) == nil)
        let cut = OpusAudioFrame(
            language: LanguageCode("es")!, segmentId: 1, sequence: 1, sampleRate: 24_000, publishedAt: 0, isLastOfSegment: false, packets: [[1, 2, 3]]
        )
        .encoded().dropLast()
        #expect(OpusAudioFrame(bytes: cut) == nil)
    }
}
