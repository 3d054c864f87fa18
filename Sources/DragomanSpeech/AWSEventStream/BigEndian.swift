extension FixedWidthInteger {
    /// The integer's bytes, most significant first, as network formats write them.
    var bigEndianBytes: [UInt8] { withUnsafeBytes(of: bigEndian, Array.init) }
}

/// Takes big-endian integers and runs of bytes from the front of an event-stream message; reading
/// past the end is `truncated`, never a crash on a message a server cut short or lied about.
struct BigEndianReader {
    private var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { bytes.isEmpty }

    mutating func bytes(_ count: Int) throws(AWSEventStreamMessage.FormatError) -> ArraySlice<UInt8> {
        guard bytes.count >= count else { throw .truncated }
        defer { bytes = bytes.dropFirst(count) }
        return bytes.prefix(count)
    }

    mutating func integer<Integer: FixedWidthInteger>(_: Integer.Type) throws(AWSEventStreamMessage.FormatError) -> Integer {
        try bytes(MemoryLayout<Integer>.size).reduce(0) { $0 << 8 | Integer(truncatingIfNeeded: $1) }
    }
}
