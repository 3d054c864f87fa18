/// Where a Wyoming service listens: `tcp://host:port`.
public struct WyomingAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Reads `tcp://host:port`.
    /// - Throws: `WyomingError.invalidAddress` for anything else (Unix sockets and stdio are not supported).
    public init(parsing text: String) throws(WyomingError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("tcp://") else { throw .invalidAddress(text) }
        let authority = trimmed.dropFirst("tcp://".count).split(separator: "/").first ?? ""
        guard let colon = authority.lastIndex(of: ":"), let port = Int(authority[authority.index(after: colon)...]),
            (1...65_535).contains(port), colon > authority.startIndex
        else { throw .invalidAddress(text) }
        self.init(host: String(authority[..<colon]), port: port)
    }

    public var description: String { "tcp://\(host):\(port)" }
}
