/// CRC-32 as IEEE 802.3 (and zlib, and AWS's event stream) compute it: polynomial 0x04C11DB7
/// taken bit-reversed, initial value and final XOR all ones.
enum CRC32 {
    /// The checksum of `bytes`; `continuing` a checksum of the bytes before them.
    static func checksum(_ bytes: some Sequence<UInt8>, continuing previous: UInt32 = 0) -> UInt32 {
        var crc = ~previous
        for byte in bytes {
            crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return ~crc
    }

    /// The remainder of each byte value, so a byte costs one lookup instead of eight shifts.
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1
        }
        return value
    }
}
