import DragomanCore
import NIOWebSocket

/// How the replaced design's own apps connect (docs/protocol.md, "Clients of the replaced
/// design"): they give no `action`, and its server inferred the role from the query.
enum LegacyDialect {
    /// Whether the connect is one of the design's apps': no `action`.
    static func isLegacy(_ query: [String: String]) -> Bool {
        query["action"]?.isEmpty ?? true
    }

    /// All that the design's example listeners name when they connect
    /// (session-management/examples/python-client/listener_client.py, `connect` and
    /// `_handle_connection_refresh`; the JavaScript one alike).
    private static let exampleListenerParameters: Set<String> = ["action", "sessionId", "targetLanguage", "role"]

    /// Whether a listener's connect is one of the design's example listeners': an `action`, and
    /// nothing beyond what they name. Dragoman's listener page always names `audioFormat` or
    /// `captionsOnly`; a client that names neither gets, besides this protocol's messages, the two
    /// the examples wait for (`sessionPaused`, `sessionResumed`), which it may ignore.
    static func isExampleListener(_ query: [String: String]) -> Bool {
        !isLegacy(query) && Set(query.keys).isSubset(of: exampleListenerParameters)
    }

    /// All that the design's example speakers name in their connect URLs
    /// (session-management/examples/python-client/speaker_client.py and
    /// javascript-client/speaker-client.js, `connect` and `handleConnectionRefresh`).
    private static let exampleSpeakerParameters: Set<String> = ["action", "sourceLanguage", "qualityTier", "token", "sessionId", "role"]

    /// Whether a speaker that connected with this URL query ends its session by closing its socket
    /// normally, as the design's server ended it on any close: its apps (no `action`) and its example
    /// speakers (the `token` in the URL, and nothing beyond what they name). Dragoman's own clients
    /// keep the reconnect wait: its pages give the token in `Sec-WebSocket-Protocol`, its command
    /// line names `sampleRate`, and they end a session explicitly.
    static func closingEndsSession(urlQuery query: [String: String]) -> Bool {
        isLegacy(query) || (query["token"]?.isEmpty == false && Set(query.keys).isSubset(of: exampleSpeakerParameters))
    }

    /// The query with the connect action that design inferred: a `targetLanguage` makes a
    /// listener (even of a signed-in user, as there); without one, a credential (`token`) with a
    /// `sessionId` is the speaker reattaching to its session, created over HTTP. A query that has
    /// an `action`, or no `sessionId`, is left as it is (and refused as before when it has none).
    static func inferringAction(_ query: [String: String]) -> [String: String] {
        guard isLegacy(query), query["sessionId"]?.isEmpty == false else { return query }
        var inferred = query
        if query["targetLanguage"]?.isEmpty == false {
            inferred["action"] = "joinSession"
        } else if query["token"]?.isEmpty == false {
            inferred["action"] = "refreshConnection"
            inferred["role"] = "speaker"
        }
        return inferred
    }

    /// How a refused connect closes. The design's apps read 1008 as a failed sign-in and never
    /// try again, so they get it only when the credential is the reason; any other refusal closes
    /// normally, its reason in the `error` before it and in the close frame.
    static func refusalCloseCode(_ error: ProtocolError, query: [String: String]) -> WebSocketErrorCode {
        guard isLegacy(query), error.code != .unauthorized, error.code != .forbidden else { return .policyViolation }
        return .normalClosure
    }

}

extension WebSocketGateway {
    /// What rewrites a listener's frames for the design's listener app (no `action`): its older
    /// builds connect without a sign-in `token` and play `audio` messages, the current one signs in
    /// and plays `translatedAudio` URLs; and for its example listeners, which wait for
    /// `sessionPaused` and play speech with `decodeAudioData`. `nil` for every other client.
    func legacyListenerFrames(query: [String: String], role: Role, host: String?) -> LegacyListenerFrames? {
        guard role == .listener else { return nil }
        guard LegacyDialect.isLegacy(query) else { return LegacyDialect.isExampleListener(query) ? LegacyListenerFrames(player: .wavMessages) : nil }
        guard query["token"]?.isEmpty == false else { return LegacyListenerFrames(player: .pcmMessages) }
        let settings = settings
        return LegacyListenerFrames(
            player: .unitURLs(units: speechUnits) { sessionId, name in settings.pageURL("v1/sessions/\(sessionId)/audio/\(name).wav", authority: host) })
    }
}
