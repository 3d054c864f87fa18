import DragomanCore
import Foundation
import HTTPTypes

/// Credentials given in `Sec-WebSocket-Protocol` instead of the `/ws` query, which proxies and
/// access logs keep (docs/protocol.md, "Credentials outside the URL"). A client offers the
/// subprotocol `dragoman` and one entry per credential, `dragoman.token.<base64url>` or
/// `dragoman.passcode.<base64url>` (the UTF-8 value, unpadded); the server answers with
/// `dragoman` alone, so the secret is never sent back.
enum SubprotocolCredentials {
    /// The subprotocol a client offers with its credentials, and the only one the server names.
    static let subprotocol = "dragoman"

    /// The connect parameters that may travel in the header: the secrets, nothing else.
    static let names: Set<String> = ["token", "passcode"]

    /// The connect's parameters: `query` with the credentials of `offered` (the values of the
    /// request's `Sec-WebSocket-Protocol` fields) added.
    /// - Throws: a 400 refusal for an entry that cannot be read, or a credential also in the query.
    static func parameters(query: [String: String], offered: [String]) throws(ConnectRefusal) -> [String: String] {
        var parameters = query
        for entry in entries(offered) where entry.hasPrefix(subprotocol + ".") {
            let parts = entry.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, names.contains(String(parts[1])), let value = decode(parts[2]) else {
                throw refusal("A Sec-WebSocket-Protocol entry is not dragoman.token.<base64url> or dragoman.passcode.<base64url>.")
            }
            let name = String(parts[1])
            guard parameters[name] == nil else {
                throw refusal("\(name) is given twice, in the query and in Sec-WebSocket-Protocol; give it once.")
            }
            parameters[name] = value
        }
        return parameters
    }

    /// The upgrade's answer: `dragoman` when the client offered it (a browser fails a connection
    /// whose answer names none of its offers), no subprotocol otherwise.
    static func answer(offered: [String]) -> HTTPFields {
        entries(offered).contains(subprotocol) ? [.secWebSocketProtocol: subprotocol] : [:]
    }

    /// The offered subprotocols, from fields that may each list several.
    private static func entries(_ offered: [String]) -> [String] {
        offered.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// base64url without padding, of UTF-8 text; `nil` otherwise.
    private static func decode(_ text: Substring) -> String? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return nil }
        return String(data: data, encoding: .utf8)
    }

    private static func refusal(_ message: String) -> ConnectRefusal {
        ConnectRefusal(httpStatus: .badRequest, error: ProtocolError(.invalidMessage, message))
    }
}
