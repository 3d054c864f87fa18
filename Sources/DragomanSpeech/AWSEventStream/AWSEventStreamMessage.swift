/// One message of AWS's event-stream format (`application/vnd.amazon.eventstream`), the framing
/// of Transcribe streaming's events in both directions. Integers are big-endian:
///
///     total length (u32) | headers length (u32) | CRC-32 of those 8 bytes
///     headers: name length (u8), name, value type (u8), value; one after another
///     payload | CRC-32 of everything before it
public struct AWSEventStreamMessage: Sendable, Equatable {
    /// A header: a name and a typed value.
    public struct Header: Sendable, Equatable {
        /// At most 255 bytes of UTF-8.
        public var name: String
        public var value: AWSEventStreamHeaderValue

        public init(_ name: String, _ value: AWSEventStreamHeaderValue) {
            self.name = name
            self.value = value
        }
    }

    /// Why bytes are not one event-stream message.
    public enum FormatError: Error, Equatable, CustomStringConvertible {
        /// Fewer bytes than the message says it has, or than its parts need.
        case truncated
        /// The CRC-32 of the two lengths is not the one that follows them.
        case preludeChecksumMismatch
        /// The CRC-32 of the message is not its last four bytes.
        case messageChecksumMismatch
        /// The message's total length is not the number of bytes it came in.
        case lengthMismatch(declared: Int, received: Int)
        /// A header value of a type the format does not define.
        case unknownHeaderType(UInt8)
        /// A header name or string value that is not UTF-8.
        case invalidUTF8

        public var description: String {
            switch self {
            case .truncated: "event-stream message cut short"
            case .preludeChecksumMismatch: "event-stream prelude checksum mismatch"
            case .messageChecksumMismatch: "event-stream message checksum mismatch"
            case .lengthMismatch(let declared, let received): "event-stream message of \(declared) bytes came in \(received)"
            case .unknownHeaderType(let type): "event-stream header of unknown type \(type)"
            case .invalidUTF8: "event-stream header text that is not UTF-8"
            }
        }
    }

    public var headers: [Header]
    public var payload: [UInt8]

    /// The prelude (two lengths and their checksum) and the message checksum.
    private static let framingLength = 16

    public init(headers: [Header], payload: [UInt8]) {
        self.headers = headers
        self.payload = payload
    }

    /// The value of the first header named `name`.
    public subscript(header name: String) -> AWSEventStreamHeaderValue? {
        headers.first { $0.name == name }?.value
    }

    /// The message's bytes.
    public var encoded: [UInt8] {
        let headerBytes = headers.flatMap { header in
            [UInt8(header.name.utf8.count)] + Array(header.name.utf8) + header.value.encoded
        }
        var bytes = UInt32(Self.framingLength + headerBytes.count + payload.count).bigEndianBytes + UInt32(headerBytes.count).bigEndianBytes
        bytes += CRC32.checksum(bytes).bigEndianBytes
        bytes += headerBytes + payload
        return bytes + CRC32.checksum(bytes).bigEndianBytes
    }

    /// Reads a message that is all of `bytes` (a WebSocket frame carries one).
    /// - Throws: ``FormatError``; a checksum that does not match among others, so that a
    ///   corrupted message is never read.
    public init(decoding bytes: [UInt8]) throws(FormatError) {
        guard bytes.count >= Self.framingLength else { throw .truncated }
        var prelude = BigEndianReader(bytes[0..<12])
        let totalLength = Int(try prelude.integer(UInt32.self))
        let headersLength = Int(try prelude.integer(UInt32.self))
        // The lengths are trusted only once their own checksum holds.
        guard try prelude.integer(UInt32.self) == CRC32.checksum(bytes[0..<8]) else { throw .preludeChecksumMismatch }
        guard totalLength == bytes.count else { throw .lengthMismatch(declared: totalLength, received: bytes.count) }
        guard headersLength <= totalLength - Self.framingLength else { throw .truncated }
        var trailer = BigEndianReader(bytes[(totalLength - 4)...])
        guard try trailer.integer(UInt32.self) == CRC32.checksum(bytes[..<(totalLength - 4)]) else { throw .messageChecksumMismatch }

        var reader = BigEndianReader(bytes[12..<(12 + headersLength)])
        var headers: [Header] = []
        while !reader.isAtEnd {
            let name = try reader.bytes(Int(try reader.integer(UInt8.self)))
            guard let name = String(validating: name, as: UTF8.self) else { throw .invalidUTF8 }
            headers.append(Header(name, try .read(from: &reader)))
        }
        self.init(headers: headers, payload: Array(bytes[(12 + headersLength)..<(totalLength - 4)]))
    }
}
