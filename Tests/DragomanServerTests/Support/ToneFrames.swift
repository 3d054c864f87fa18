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
}
