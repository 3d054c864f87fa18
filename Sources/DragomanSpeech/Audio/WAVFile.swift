import Foundation

/// A mono 16-bit PCM WAV (RIFF) file in memory.
///
/// Only the format Dragoman records and plays is accepted: other formats are rejected with
/// a ``FormatError`` naming what was found, rather than being converted silently.
public struct WAVFile: Sendable, Equatable {
    /// Why bytes are not a WAV file this type reads.
    public enum FormatError: Error, Equatable, CustomStringConvertible {
        /// The bytes do not start with a RIFF/WAVE header.
        case notRIFFWave
        /// A required chunk (`fmt ` or `data`) is absent or cut short.
        case missingChunk(String)
        /// The encoding is not integer PCM (format tag 1, or 0xFFFE holding PCM).
        case unsupportedEncoding(formatTag: UInt16)
        /// More than one channel.
        case unsupportedChannelCount(Int)
        /// A sample size other than 16 bits.
        case unsupportedBitsPerSample(Int)

        public var description: String {
            switch self {
            case .notRIFFWave: "not a RIFF/WAVE file"
            case .missingChunk(let id): "WAV file has no complete '\(id)' chunk"
            case .unsupportedEncoding(let tag): "WAV encoding \(tag) is not supported; only 16-bit PCM is"
            case .unsupportedChannelCount(let count): "WAV file has \(count) channels; only mono is supported"
            case .unsupportedBitsPerSample(let bits): "WAV file has \(bits)-bit samples; only 16-bit is supported"
            }
        }
    }

    /// Samples per second.
    public var sampleRate: Int
    /// The audio.
    public var samples: [Int16]
    /// How long the audio lasts, in seconds.
    public var duration: Double { Double(samples.count) / Double(sampleRate) }

    /// Wraps `samples` recorded at `sampleRate`.
    public init(sampleRate: Int, samples: [Int16]) {
        self.sampleRate = sampleRate
        self.samples = samples
    }

    /// Parses the bytes of a WAV file.
    public init(bytes: [UInt8]) throws(FormatError) {
        guard bytes.count >= 12, bytes[0..<4].elementsEqual("RIFF".utf8), bytes[8..<12].elementsEqual("WAVE".utf8)
        else { throw .notRIFFWave }

        var format: (tag: UInt16, channels: Int, sampleRate: Int, bits: Int)?
        var offset = 12
        // Chunks may come in any order and include others (LIST, fact); walk them all.
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            let size = Int(Self.uint32(bytes, at: offset + 4))
            let body = offset + 8
            if id == "fmt " {
                guard size >= 16, body + 16 <= bytes.count else { throw .missingChunk("fmt ") }
                var tag = Self.uint16(bytes, at: body)
                // WAVE_FORMAT_EXTENSIBLE keeps the real tag in the first two bytes of its GUID.
                if tag == 0xFFFE, size >= 40, body + 26 <= bytes.count {
                    tag = Self.uint16(bytes, at: body + 24)
                }
                format = (
                    tag, Int(Self.uint16(bytes, at: body + 2)), Int(Self.uint32(bytes, at: body + 4)),
                    Int(Self.uint16(bytes, at: body + 14))
                )
            } else if id == "data" {
                guard let format else { throw .missingChunk("fmt ") }
                guard format.tag == 1 else { throw .unsupportedEncoding(formatTag: format.tag) }
                guard format.channels == 1 else { throw .unsupportedChannelCount(format.channels) }
                guard format.bits == 16 else { throw .unsupportedBitsPerSample(format.bits) }
                // Streaming writers leave the size at 0 or 0xFFFFFFFF; take what is there.
                let end = size == 0 || body + size > bytes.count ? bytes.count : body + size
                self.init(sampleRate: format.sampleRate, samples: PCM.samples(fromLittleEndian: bytes[body..<end]))
                return
            }
            offset = body + size + size % 2  // chunks are padded to an even length
        }
        throw .missingChunk(format == nil ? "fmt " : "data")
    }

    /// Reads and parses the WAV file at `url`.
    public init(contentsOf url: URL) throws {
        try self.init(bytes: [UInt8](Data(contentsOf: url)))
    }

    /// The file's bytes: a 44-byte header and the samples.
    public func encoded() -> [UInt8] {
        let dataSize = UInt32(samples.count * 2)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(44 + samples.count * 2)
        bytes += "RIFF".utf8
        Self.append(36 + dataSize, to: &bytes)
        bytes += "WAVEfmt ".utf8
        Self.append(UInt32(16), to: &bytes)
        Self.append(UInt16(1), to: &bytes)  // PCM
        Self.append(UInt16(1), to: &bytes)  // mono
        Self.append(UInt32(sampleRate), to: &bytes)
        Self.append(UInt32(sampleRate * 2), to: &bytes)  // bytes per second
        Self.append(UInt16(2), to: &bytes)  // bytes per frame
        Self.append(UInt16(16), to: &bytes)
        bytes += "data".utf8
        Self.append(dataSize, to: &bytes)
        bytes += PCM.littleEndianBytes(samples)
        return bytes
    }

    /// Writes the file to `url`, replacing any file there.
    public func write(to url: URL) throws {
        try Data(encoded()).write(to: url, options: .atomic)
    }

    private static func uint16(_ bytes: [UInt8], at offset: Int) -> UInt16 {
        UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    private static func uint32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(uint16(bytes, at: offset)) | UInt32(uint16(bytes, at: offset + 2)) << 16
    }

    private static func append<Integer: FixedWidthInteger>(_ value: Integer, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }
}
