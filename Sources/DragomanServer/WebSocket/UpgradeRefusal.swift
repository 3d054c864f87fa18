import Foundation
import HTTPTypes
import NIOHTTP1

/// Why an upgrade of `/ws` was refused before its session was looked at; `RefusedUpgradeGate`
/// hands it to the `GET /ws` route, which answers with its status.
enum UpgradeRefusal: String, Sendable {
    /// The request lacks what RFC 6455 asks of a handshake (`Sec-WebSocket-Key`, version 13).
    case invalidHandshake
    case origin
    case tooManyConnections
    case tooManyAttempts

    var status: HTTPResponse.Status {
        switch self {
        case .invalidHandshake: .badRequest
        case .origin: .forbidden
        case .tooManyConnections, .tooManyAttempts: .tooManyRequests
        }
    }

    var message: String {
        switch self {
        case .invalidHandshake: "Not a WebSocket handshake: Sec-WebSocket-Key and Sec-WebSocket-Version: 13 are required."
        case .origin: "WebSocket connects from this page's origin are not allowed."
        case .tooManyConnections: "Too many open connections from this address."
        case .tooManyAttempts: "Too many connects from this address; try again in a minute."
        }
    }

    /// `.invalidHandshake` when the head cannot be upgraded: the upgrader would drop the
    /// connection without an answer.
    static func checkHandshake(_ head: HTTPRequestHead) -> UpgradeRefusal? {
        let hasKey = head.headers["sec-websocket-key"].first.map { !$0.isEmpty } ?? false
        let version = head.headers["sec-websocket-version"].first?.trimmingCharacters(in: .whitespaces)
        return hasKey && version == "13" ? nil : .invalidHandshake
    }
}
