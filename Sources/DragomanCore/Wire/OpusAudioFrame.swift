/// **(Dragoman)** A binary WebSocket frame of synthesized speech to a listener who asked for
/// `audioFormat=opus`: one chunk of a segment's speech as Opus packets (docs/protocol.md,
/// "Opus audio"). All integers are big-endian.
///
/// ```
/// 0      magic 0x4F ("O")
/// 1      version, 2
/// 2      flags: bit 0 = the last frame of the segment
/// 3      n, the length of the language code (2 or 3)
/// 4      the language code, n ASCII bytes
/// 4+n    segmentId, UInt32
/// 8+n    sequence, UInt32 (shared with captions and `audioData`, per language)
/// 12+n   sample rate the packets were encoded at, UInt32 (Hz)
/// 16+n   publishedAt, UInt64: Unix time in milliseconds when the server sent it
/// 24+n   packets, each a UInt16 length and that many bytes, to the end of the frame
/// ```
public struct OpusAudioFrame: Sendable, Equatable {
    public static let magic: UInt8 = 0x4F
    public static let version: UInt8 = 2
    static let lastOfSegmentFlag: UInt8 = 1

    public var language: LanguageCode
    public var segmentId: UInt32
    public var sequence: UInt32
    public var sampleRate: UInt32
    /// Unix time in milliseconds when the server sent the frame.
    public var publishedAt: UInt64
    /// No more speech of this segment follows (this frame may hold no packets).
    public var isLastOfSegment: Bool
    /// Opus packets of 20 ms each, in order.
    public var packets: [[UInt8]]

    public init(
        language: LanguageCode, segmentId: UInt32, sequence: UInt32, sampleRate: UInt32, publishedAt: UInt64, isLastOfSegment: Bool, packets: [[UInt8]]
    ) {
        self.language = language
        self.segmentId = segmentId
        self.sequence = sequence
        self.sampleRate = sampleRate
        self.publishedAt = publishedAt
        self.isLastOfSegment = isLastOfSegment
        self.packets = packets
    }

    /// The frame's bytes.
    public func encoded() -> [UInt8] {
        let code = Array(language.rawValue.utf8)
        var bytes: [UInt8] = [Self.magic, Self.version, isLastOfSegment ? Self.lastOfSegmentFlag : 0, UInt8(code.count)] + code
        for value in [segmentId, sequence, sampleRate, UInt32(publishedAt >> 32), UInt32(publishedAt & 0xFFFF_FFFF)] {
            Self.append(value, to: &bytes)
        }
        for packet in packets {
            bytes += [UInt8(packet.count >> 8), UInt8(packet.count & 0xFF)] + packet
        }
        return bytes
    }

    /// Reads a frame; `nil` when the bytes are not one (another magic or version, cut short).
    public init?(bytes: some Collection<UInt8>) {
        var reader = Array(bytes)[...]
        guard reader.popFirst() == Self.magic, reader.popFirst() == Self.version, let flags = reader.popFirst(),
            let length = reader.popFirst(), reader.count >= Int(length) + 20,
            let language = LanguageCode(String(decoding: reader.prefix(Int(length)), as: UTF8.self))
        else { return nil }
        reader = reader.dropFirst(Int(length))
        self.language = language
        self.isLastOfSegment = flags & Self.lastOfSegmentFlag != 0
        self.segmentId = Self.readUInt32(&reader)
        self.sequence = Self.readUInt32(&reader)
        self.sampleRate = Self.readUInt32(&reader)
        self.publishedAt = UInt64(Self.readUInt32(&reader)) << 32 | UInt64(Self.readUInt32(&reader))
        var packets: [[UInt8]] = []
        while !reader.isEmpty {
            guard reader.count >= 2 else { return nil }
            let size = Int(reader[reader.startIndex]) << 8 | Int(reader[reader.startIndex + 1])
            reader = reader.dropFirst(2)
            guard reader.count >= size else { return nil }
            packets.append(Array(reader.prefix(size)))
            reader = reader.dropFirst(size)
        }
        self.packets = packets
    }

    /// The `publishedAt` of a frame's bytes, read without decoding the packets (load tools read
    /// thousands a second); `nil` when the bytes are not a frame of this version.
    public static func publishedAt(in bytes: some Collection<UInt8>) -> UInt64? {
        guard bytes.count >= 4, bytes.first == magic, bytes.dropFirst().first == version else { return nil }
        let header = bytes.dropFirst(4 + Int(bytes.dropFirst(3).first ?? 0) + 12).prefix(8)
        guard header.count == 8 else { return nil }
        return header.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    private static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    private static func readUInt32(_ reader: inout ArraySlice<UInt8>) -> UInt32 {
        let value = reader.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        reader = reader.dropFirst(4)
        return value
    }
}
