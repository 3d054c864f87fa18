import Foundation

/// Recognizes audio that is not raw PCM: files and encoded streams a client might send by
/// mistake (a WAV file, MediaRecorder's WebM or Ogg chunks, MP3, FLAC).
enum AudioContainer {
    /// Speaker PCM rates the pipeline resamples from.
    static let acceptedSampleRates = 8_000...48_000

    private static let signatures: [[UInt8]] = [
        Array("RIFF".utf8), Array("OggS".utf8), Array("fLaC".utf8), Array("ID3".utf8),
        [0x1A, 0x45, 0xDF, 0xA3],  // EBML: WebM and Matroska
        [0xFF, 0xFB], [0xFF, 0xF3], [0xFF, 0xF2],  // MPEG audio frames
    ]

    /// Whether the bytes start like a container or codec stream rather than PCM samples.
    static func isEncoded(_ bytes: Data) -> Bool {
        signatures.contains { bytes.starts(with: $0) }
    }
}
