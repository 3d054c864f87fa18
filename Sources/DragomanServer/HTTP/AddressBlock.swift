#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One IP address or a block of them in CIDR notation (`192.0.2.7`, `10.0.0.0/8`, `fd00::/8`),
/// as `trustedProxies` lists them.
struct AddressBlock: Sendable, Equatable {
    /// The network's bytes: 4 for IPv4, 16 for IPv6.
    let network: [UInt8]
    let prefixLength: Int

    /// `nil` when `text` is not an address with an optional `/prefix` that fits it.
    init?(_ text: some StringProtocol) {
        let parts = text.trimmingWhitespace.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let network = Self.bytes(of: parts[0]) else { return nil }
        let length = parts.count == 2 ? Int(parts[1]) : network.count * 8
        guard let length, (0...network.count * 8).contains(length) else { return nil }
        self.network = network
        self.prefixLength = length
    }

    /// Whether `address` (in text, as a socket or a forwarded header gives it) is in the block.
    func contains(_ address: some StringProtocol) -> Bool {
        guard let bytes = Self.bytes(of: address), bytes.count == network.count else { return false }
        var remaining = prefixLength
        for (byte, networkByte) in zip(bytes, network) where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            guard byte & mask == networkByte & mask else { return false }
            remaining -= 8
        }
        return true
    }

    /// The bytes of an IPv4 or IPv6 address; an IPv4 address mapped into IPv6 (`::ffff:10.0.0.1`,
    /// as a dual-stack socket reports IPv4 peers) as its 4 IPv4 bytes.
    static func bytes(of address: some StringProtocol) -> [UInt8]? {
        let text = String(address.trimmingWhitespace)
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        let mappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xFF, 0xFF]
        return Array(bytes.prefix(12)) == mappedPrefix ? Array(bytes.suffix(4)) : bytes
    }
}

extension StringProtocol {
    fileprivate var trimmingWhitespace: SubSequence {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? start
        return self[start..<end]
    }
}
