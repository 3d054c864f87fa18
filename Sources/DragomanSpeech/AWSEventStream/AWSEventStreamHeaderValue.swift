/// The value of a header of an AWS event-stream message: one of the ten types the format defines,
/// each written after a byte that names it.
public enum AWSEventStreamHeaderValue: Sendable, Equatable {
    case bool(Bool)
    case byte(Int8)
    case int16(Int16)
    case int32(Int32)
    case int64(Int64)
    /// At most 65,535 bytes.
    case bytes([UInt8])
    /// At most 65,535 bytes of UTF-8.
    case string(String)
    /// Milliseconds since 1970.
    case timestamp(Int64)
    /// 16 bytes.
    case uuid([UInt8])

    /// The text of a string value.
    public var stringValue: String? {
        if case .string(let text) = self { text } else { nil }
    }

    /// The type byte, then the value.
    var encoded: [UInt8] {
        switch self {
        case .bool(let value): return [value ? 0 : 1]
        case .byte(let value): return [2, UInt8(bitPattern: value)]
        case .int16(let value): return [3] + value.bigEndianBytes
        case .int32(let value): return [4] + value.bigEndianBytes
        case .int64(let value): return [5] + value.bigEndianBytes
        case .bytes(let bytes): return [6] + UInt16(bytes.count).bigEndianBytes + bytes
        case .string(let text): return [7] + UInt16(text.utf8.count).bigEndianBytes + Array(text.utf8)
        case .timestamp(let milliseconds): return [8] + milliseconds.bigEndianBytes
        case .uuid(let bytes):
            precondition(bytes.count == 16, "a UUID header value is 16 bytes")
            return [9] + bytes
        }
    }

    /// Reads a type byte and the value after it.
    static func read(from reader: inout BigEndianReader) throws(AWSEventStreamMessage.FormatError) -> AWSEventStreamHeaderValue {
        switch try reader.integer(UInt8.self) {
        case 0: return .bool(true)
        case 1: return .bool(false)
        case 2: return .byte(try reader.integer(Int8.self))
        case 3: return .int16(try reader.integer(Int16.self))
        case 4: return .int32(try reader.integer(Int32.self))
        case 5: return .int64(try reader.integer(Int64.self))
        case 6: return .bytes(Array(try reader.bytes(Int(try reader.integer(UInt16.self)))))
        case 7:
            let bytes = try reader.bytes(Int(try reader.integer(UInt16.self)))
            guard let text = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8 }
            return .string(text)
        case 8: return .timestamp(try reader.integer(Int64.self))
        case 9: return .uuid(Array(try reader.bytes(16)))
        case let type: throw .unknownHeaderType(type)
        }
    }
}
