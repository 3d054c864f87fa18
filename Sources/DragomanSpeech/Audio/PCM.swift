/// Signed 16-bit mono PCM, the one sample format inside Dragoman.
public enum PCM {
    /// The sample rate of speech fed to recognizers and to ``VoiceActivitySegmenter``.
    public static let speechSampleRate = 16_000

    /// Decodes little-endian 16-bit samples (the wire and WAV format). A trailing odd byte,
    /// half a sample, is ignored.
    public static func samples(fromLittleEndian bytes: some Collection<UInt8>) -> [Int16] {
        let count = bytes.count / 2
        return [Int16](unsafeUninitializedCapacity: count) { buffer, initialized in
            var index = bytes.startIndex
            for sample in 0..<count {
                let low = UInt16(bytes[index])
                bytes.formIndex(after: &index)
                let high = UInt16(bytes[index])
                bytes.formIndex(after: &index)
                buffer[sample] = Int16(bitPattern: low | high << 8)
            }
            initialized = count
        }
    }

    /// Encodes samples as little-endian 16-bit bytes.
    public static func littleEndianBytes(_ samples: some Collection<Int16>) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(samples.count * 2)
        for sample in samples {
            let bits = UInt16(bitPattern: sample)
            bytes.append(UInt8(truncatingIfNeeded: bits))
            bytes.append(UInt8(truncatingIfNeeded: bits >> 8))
        }
        return bytes
    }
}
