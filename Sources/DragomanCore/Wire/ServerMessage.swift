import Foundation

/// A message from the server to a client: `type`, `sessionId` where there is one, `timestamp`
/// (Unix seconds) and the fields of its type (PROTOCOL.md).
public struct ServerMessage: Sendable, Equatable {
    public var type: String
    public var sessionId: String?
    public var timestamp: Int
    public var fields: [String: JSONValue]

    public init(type: String, sessionId: String?, timestamp: Int = UnixTime.now, fields: [String: JSONValue] = [:]) {
        self.type = type
        self.sessionId = sessionId
        self.timestamp = timestamp
        self.fields = fields
    }

    /// The JSON text frame.
    public func encoded() -> String {
        var object = fields
        object["type"] = .string(type)
        object["timestamp"] = .int(timestamp)
        if let sessionId { object["sessionId"] = .string(sessionId) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        // Encoding a tree of JSONValue cannot fail.
        return String(decoding: try! encoder.encode(JSONValue.object(object)), as: UTF8.self)
    }
}

extension ServerMessage {
    /// `error` (PROTOCOL.md, "Errors").
    public static func error(_ error: ProtocolError, sessionId: String?) -> ServerMessage {
        var fields: [String: JSONValue] = ["code": .string(error.code.rawValue), "message": .string(error.message)]
        fields["action"] = error.action.map(JSONValue.string) ?? .null
        return ServerMessage(type: "error", sessionId: sessionId, fields: fields)
    }

    /// A broadcast-state notification (`broadcastPaused`, `broadcastMuted`, `volumeChanged`, …).
    public static func broadcastChange(_ type: String, sessionId: String, state: BroadcastState) -> ServerMessage {
        var fields: [String: JSONValue] = ["broadcastState": state.json]
        switch type {
        case "volumeChanged": fields["volumeLevel"] = .double(state.volume)
        case "speakerStateChanged": fields["state"] = state.speakerState
        default: break
        }
        return ServerMessage(type: type, sessionId: sessionId, fields: fields)
    }

    /// `sessionStatus` (PROTOCOL.md, "sessionStatus").
    public static func sessionStatus(
        sessionId: String, distribution: [LanguageCode: Int], sessionDuration: Int, state: BroadcastState,
        reason: StatusUpdateReason
    ) -> ServerMessage {
        let languages = JSONValue.object(Dictionary(uniqueKeysWithValues: distribution.map { ($0.key.rawValue, JSONValue.int($0.value)) }))
        return ServerMessage(
            type: "sessionStatus", sessionId: sessionId,
            fields: [
                "listenerCount": .int(distribution.values.reduce(0, +)),
                "languageDistribution": languages,
                "sessionDuration": .int(sessionDuration),
                "broadcastState": state.json,
                "updateReason": .string(reason.rawValue),
            ])
    }
}

/// Unix time in whole seconds, the protocol's `timestamp`.
public enum UnixTime {
    public static var now: Int { Int(Date().timeIntervalSince1970) }
    /// Unix time in milliseconds: the `publishedAt` of captions and speech, by which a client
    /// (or `dragoman bench fanout`) measures how far behind it is.
    public static var milliseconds: Int { Int((Date().timeIntervalSince1970 * 1000).rounded()) }
}
