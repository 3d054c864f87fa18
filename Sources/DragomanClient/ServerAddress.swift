import Foundation

/// A server's base URL, as a user types it (`http://host:8080`, `host:8080`), and the URLs
/// derived from it.
public struct ServerAddress: Sendable {
    /// `http://host:port` or `https://…`, without a trailing slash.
    public let httpBase: String

    public init(_ typed: String) {
        var base = typed.contains("://") ? typed : "http://" + typed
        while base.hasSuffix("/") { base.removeLast() }
        httpBase = base
    }

    /// The `/ws` URL with these query parameters, percent-encoded.
    public func webSocketURL(_ query: [String: String]) -> String {
        let scheme = httpBase.hasPrefix("https") ? "wss" : "ws"
        return scheme + httpBase.drop { $0 != ":" } + webSocketPath(query)
    }

    /// The path and query of `webSocketURL`, for clients that write the request themselves.
    public func webSocketPath(_ query: [String: String]) -> String {
        var components = URLComponents()
        components.path = "/ws"
        components.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        // `+` is a space to many query parsers; encode it.
        return components.string!.replacingOccurrences(of: "+", with: "%2B")
    }
}
