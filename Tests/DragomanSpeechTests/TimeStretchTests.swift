import DragomanSpeech
import Foundation
import Testing

@Suite("TimeStretch")
struct TimeStretchTests {
    static func tone(hertz: Double, seconds: Double, sampleRate: Int) -> [Int16] {
        (0..<Int(seconds * Double(sampleRate))).map { Int16(8_000 * sin(2 * Double.pi * hertz * Double($0) / Double(sampleRate))) }
    }

    /// The frequency of a tone, from how often it crosses zero upwards.
    static func frequency(_ samples: [Int16], sampleRate: Int) -> Double {
        let crossings = zip(samples, samples.dropFirst()).filter { $0 < 0 && $1 >= 0 }.count
        return Double(crossings) / (Double(samples.count) / Double(sampleRate))
    }

    @Test(arguments: [16_000, 22_050])
    func fasterSpeechIsShorterAtTheSamePitch(sampleRate: Int) {
        let tone = Self.tone(hertz: 220, seconds: 3, sampleRate: sampleRate)
        let faster = TimeStretch.faster(tone, by: 1.5, sampleRate: sampleRate)
        let seconds = Double(faster.count) / Double(sampleRate)
        #expect(abs(seconds - 2) < 0.06, "\(seconds) s")
        #expect(abs(Self.frequency(faster, sampleRate: sampleRate) - 220) < 220 * 0.03)
        // Overlap-add of aligned frames keeps the level: no gaps, no doubling.
        let peak = faster.dropFirst(sampleRate / 10).dropLast(sampleRate / 10).map { Int($0.magnitude) }.max() ?? 0
        #expect((7_000...8_500).contains(peak), "peak \(peak)")
    }

    @Test func aTempoOfOneOrATinyStretchIsLeftAsItIs() {
        let tone = Self.tone(hertz: 220, seconds: 1, sampleRate: 16_000)
        #expect(TimeStretch.faster(tone, by: 1, sampleRate: 16_000) == tone)
        #expect(TimeStretch.faster(Array(tone.prefix(500)), by: 1.5, sampleRate: 16_000) == Array(tone.prefix(500)))
    }
}
