import Foundation

/// A message from the server to a client: `type`, `sessionId` where there is one, `timestamp`
/// (Unix seconds) and the fields of its type, all at the top level of one JSON object
/// (docs/protocol.md, "Messages").
public struct ServerMessage: Codable, Sendable, Equatable {
    public var body: Body
    public var sessionId: String?
    public var timestamp: Int

    public init(_ body: Body, sessionId: String?, timestamp: Int = UnixTime.now) {
        self.body = body
        self.sessionId = sessionId
        self.timestamp = timestamp
    }

    /// One case per message type of docs/protocol.md; the case's name is the `type`.
    public enum Body: Sendable, Equatable {
        case sessionCreated(SessionCreated)
        case sessionJoined(SessionJoined)
        case connectionRefreshComplete(ConnectionRefreshComplete)
        case interpreterJoined(InterpreterJoined)
        case transcript(Transcript)
        case audioData(AudioData)
        case audioSkipped(AudioSkipped)
        case sessionStatus(SessionStatusReport)
        case broadcastPaused(BroadcastNotice)
        case broadcastResumed(BroadcastNotice)
        case broadcastMuted(BroadcastNotice)
        case broadcastUnmuted(BroadcastNotice)
        case volumeChanged(VolumeChanged)
        case speakerStateChanged(SpeakerStateChanged)
        case speakerDisconnected(SpeakerDisconnected)
        case speakerReconnected(BroadcastNotice)
        case sessionEnded(SessionEnded)
        case connectionWarning(ConnectionWarning)
        case connectionRefreshRequired(ConnectionRefreshRequired)
        case languageChanged(LanguageChanged)
        case playbackPaused
        case playbackResumed
        case interpreterMuted(InterpreterMuteState)
        case interpreterUnmuted(InterpreterMuteState)
        case voiceChanged(VoiceChanged)
        case heartbeatAck
        case error(ProtocolError)
    }

    /// The message's `type`.
    public var type: String { body.type }

    private enum EnvelopeKey: String, CodingKey {
        case type, sessionId, timestamp
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: EnvelopeKey.self)
        body = try Body(type: container.decode(String.self, forKey: .type), from: decoder)
        sessionId = try container.decodeIfPresent(String.self, forKey: .sessionId)
        timestamp = try container.decode(Int.self, forKey: .timestamp)
    }

    public func encode(to encoder: any Encoder) throws {
        // The fields first: the envelope's keys are written last, so they are the ones that stand.
        try body.fields?.encode(to: encoder)
        var container = encoder.container(keyedBy: EnvelopeKey.self)
        try container.encode(type, forKey: .type)
        try container.encodeIfPresent(sessionId, forKey: .sessionId)
        try container.encode(timestamp, forKey: .timestamp)
    }

    /// The JSON text frame.
    public func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        // Every field is a string, a number, a boolean or a collection of them: encoding cannot fail.
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    /// Reads a text frame.
    /// - Throws: `DecodingError` when it is not a server message of the protocol.
    public static func decode(_ text: String) throws -> ServerMessage {
        try JSONDecoder().decode(ServerMessage.self, from: Data(text.utf8))
    }
}

extension ServerMessage {
    /// `error` (docs/protocol.md, "Errors").
    public static func error(_ error: ProtocolError, sessionId: String?) -> ServerMessage {
        ServerMessage(.error(error), sessionId: sessionId)
    }

    /// A broadcast notification, carrying the new state.
    public static func broadcastChange(_ kind: BroadcastNotification, sessionId: String, state: BroadcastState) -> ServerMessage {
        let notice = BroadcastNotice(broadcastState: state)
        let body: Body =
            switch kind {
            case .broadcastPaused: .broadcastPaused(notice)
            case .broadcastResumed: .broadcastResumed(notice)
            case .broadcastMuted: .broadcastMuted(notice)
            case .broadcastUnmuted: .broadcastUnmuted(notice)
            case .volumeChanged: .volumeChanged(VolumeChanged(broadcastState: state))
            case .speakerStateChanged: .speakerStateChanged(SpeakerStateChanged(broadcastState: state))
            }
        return ServerMessage(body, sessionId: sessionId)
    }
}

extension ServerMessage.Body {
    /// The `type` on the wire.
    public var type: String {
        switch self {
        case .sessionCreated: "sessionCreated"
        case .sessionJoined: "sessionJoined"
        case .connectionRefreshComplete: "connectionRefreshComplete"
        case .interpreterJoined: "interpreterJoined"
        case .transcript: "transcript"
        case .audioData: "audioData"
        case .audioSkipped: "audioSkipped"
        case .sessionStatus: "sessionStatus"
        case .broadcastPaused: "broadcastPaused"
        case .broadcastResumed: "broadcastResumed"
        case .broadcastMuted: "broadcastMuted"
        case .broadcastUnmuted: "broadcastUnmuted"
        case .volumeChanged: "volumeChanged"
        case .speakerStateChanged: "speakerStateChanged"
        case .speakerDisconnected: "speakerDisconnected"
        case .speakerReconnected: "speakerReconnected"
        case .sessionEnded: "sessionEnded"
        case .connectionWarning: "connectionWarning"
        case .connectionRefreshRequired: "connectionRefreshRequired"
        case .languageChanged: "languageChanged"
        case .playbackPaused: "playbackPaused"
        case .playbackResumed: "playbackResumed"
        case .interpreterMuted: "interpreterMuted"
        case .interpreterUnmuted: "interpreterUnmuted"
        case .voiceChanged: "voiceChanged"
        case .heartbeatAck: "heartbeatAck"
        case .error: "error"
        }
    }

    /// The place of a caption or a chunk of speech in its language's stream; `nil` for the other
    /// messages.
    public var sequence: Int? {
        switch self {
        case .transcript(let caption): caption.sequence
        case .audioData(let chunk): chunk.sequence
        default: nil
        }
    }

    /// The fields besides the envelope's; `nil` for a message that has none.
    var fields: (any Encodable)? {
        switch self {
        case .sessionCreated(let fields): fields
        case .sessionJoined(let fields): fields
        case .connectionRefreshComplete(let fields): fields
        case .interpreterJoined(let fields): fields
        case .transcript(let fields): fields
        case .audioData(let fields): fields
        case .audioSkipped(let fields): fields
        case .sessionStatus(let fields): fields
        case .broadcastPaused(let fields), .broadcastResumed(let fields), .broadcastMuted(let fields), .broadcastUnmuted(let fields),
            .speakerReconnected(let fields):
            fields
        case .volumeChanged(let fields): fields
        case .speakerStateChanged(let fields): fields
        case .speakerDisconnected(let fields): fields
        case .sessionEnded(let fields): fields
        case .connectionWarning(let fields): fields
        case .connectionRefreshRequired(let fields): fields
        case .languageChanged(let fields): fields
        case .interpreterMuted(let fields), .interpreterUnmuted(let fields): fields
        case .voiceChanged(let fields): fields
        case .error(let fields): fields
        case .playbackPaused, .playbackResumed, .heartbeatAck: nil
        }
    }

    /// Reads the fields of a message of `type` from the object `decoder` holds.
    init(type: String, from decoder: any Decoder) throws {
        func fields<Fields: Decodable>(_: Fields.Type = Fields.self) throws -> Fields { try Fields(from: decoder) }
        switch type {
        case "sessionCreated": self = .sessionCreated(try fields())
        case "sessionJoined": self = .sessionJoined(try fields())
        case "connectionRefreshComplete": self = .connectionRefreshComplete(try fields())
        case "interpreterJoined": self = .interpreterJoined(try fields())
        case "transcript": self = .transcript(try fields())
        case "audioData": self = .audioData(try fields())
        case "audioSkipped": self = .audioSkipped(try fields())
        case "sessionStatus": self = .sessionStatus(try fields())
        case "broadcastPaused": self = .broadcastPaused(try fields())
        case "broadcastResumed": self = .broadcastResumed(try fields())
        case "broadcastMuted": self = .broadcastMuted(try fields())
        case "broadcastUnmuted": self = .broadcastUnmuted(try fields())
        case "volumeChanged": self = .volumeChanged(try fields())
        case "speakerStateChanged": self = .speakerStateChanged(try fields())
        case "speakerDisconnected": self = .speakerDisconnected(try fields())
        case "speakerReconnected": self = .speakerReconnected(try fields())
        case "sessionEnded": self = .sessionEnded(try fields())
        case "connectionWarning": self = .connectionWarning(try fields())
        case "connectionRefreshRequired": self = .connectionRefreshRequired(try fields())
        case "languageChanged": self = .languageChanged(try fields())
        case "playbackPaused": self = .playbackPaused
        case "playbackResumed": self = .playbackResumed
        case "interpreterMuted": self = .interpreterMuted(try fields())
        case "interpreterUnmuted": self = .interpreterUnmuted(try fields())
        case "voiceChanged": self = .voiceChanged(try fields())
        case "heartbeatAck": self = .heartbeatAck
        case "error": self = .error(try fields())
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "No server message has the type \"\(type)\"."))
        }
    }
}
