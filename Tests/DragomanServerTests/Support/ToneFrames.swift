import Foundation

/// Synthetic speaker audio: 20 ms frames of 16 kHz PCM s16le, a 440 Hz tone or near silence, so
/// the segmenter sees speech start and end where a test wants it.
enum ToneFrames {
    /// One frame: a tone at `amplitude` (3 is quiet, 8 000 is speech), starting at sample `offset`.
    static func frame(amplitude: Double, offset: Int) -> [UInt8] {
        (0..<320).flatMap { index -> [UInt8] in
            let sample = Int16(amplitude * sin(2 * Double.pi * 440 * Double(offset + index) / 16_000))
            return [UInt8(truncatingIfNeeded: sample), UInt8(truncatingIfNeeded: sample >> 8)]
        }
    }

    /// One segment of speech: a little quiet, half a second of tone, then enough quiet to end it.
    static func utterance() -> [[UInt8]] {
        (0..<10).map { frame(amplitude: 3, offset: $0 * 320) }
            + (10..<35).map { frame(amplitude: 8_000, offset: $0 * 320) }
            + (35..<70).map { frame(amplitude: 3, offset: $0 * 320) }
    }

    /// The same as samples of any length: quiet room noise, a tone of `seconds`, then `pause`
    /// seconds of room noise again.
    static func utterance(seconds: Double, pause: Double) -> [Int16] {
        func noise(_ seconds: Double) -> [Int16] { (0..<Int(seconds * 16_000)).map { _ in Int16.random(in: -20...20) } }
        let tone = (0..<Int(seconds * 16_000)).map { Int16(8_000 * sin(2 * Double.pi * 440 * Double($0) / 16_000)) }
        return noise(0.3) + tone + noise(pause)
    }
}
