import Foundation

/// A JSON text frame from a client, parsed and checked (docs/protocol.md, "Messages").
public enum ClientMessage: Sendable, Equatable {
    // Speaker actions
    case sendAudio(base64: String)
    case pauseBroadcast
    case resumeBroadcast
    case muteBroadcast
    case unmuteBroadcast
    case setVolume(Double)
    case speakerStateChange(SpeakerStateUpdate)
    case getSessionStatus
    // Listener actions
    case changeLanguage(LanguageCode)
    case pausePlayback
    case resumePlayback
    // Interpreter actions
    case muteInterpreter
    case unmuteInterpreter
    // Every role
    case heartbeat
    /// A connect action sent again as a message after connecting; answered as a repeat.
    case repeatConnect(action: String)
    // The replaced design's speaker messages (docs/protocol.md, "Clients of the replaced design")
    case audioChunk(LegacyAudioChunk)
    case endSession
    case controlSession(SessionCommand)

    /// The partial broadcast state a `speakerStateChange` carries.
    public struct SpeakerStateUpdate: Sendable, Equatable {
        public var isPaused: Bool?
        public var isMuted: Bool?
        public var volume: Double?

        public init(isPaused: Bool? = nil, isMuted: Bool? = nil, volume: Double? = nil) {
            self.isPaused = isPaused
            self.isMuted = isMuted
            self.volume = volume
        }
    }

    /// The roles allowed to send it.
    public var allowedRoles: Set<Role> {
        switch self {
        case .sendAudio: [.speaker, .interpreter]
        case .pauseBroadcast, .resumeBroadcast, .muteBroadcast, .unmuteBroadcast, .setVolume, .speakerStateChange, .getSessionStatus,
            .audioChunk, .endSession, .controlSession:
            [.speaker]
        case .changeLanguage, .pausePlayback, .resumePlayback: [.listener]
        case .muteInterpreter, .unmuteInterpreter: [.interpreter]
        case .heartbeat, .repeatConnect: Set(Role.allCases)
        }
    }

    /// The speaker actions, which a listener may not send (an interpreter sends `sendAudio` too).
    public static let speakerActions: Set<String> = [
        "sendAudio", "pauseBroadcast", "resumeBroadcast", "muteBroadcast", "unmuteBroadcast", "setVolume",
        "speakerStateChange", "getSessionStatus", "audioChunk", "endSession", "controlSession",
    ]

    /// The actions that carry audio: sized and rated as audio, not as control messages.
    public static let audioActions: Set<String> = ["sendAudio", "audioChunk"]

    /// The listener actions, which a speaker may not send.
    public static let listenerActions: Set<String> = ["changeLanguage", "pausePlayback", "resumePlayback"]

    /// The interpreter's own actions.
    public static let interpreterActions: Set<String> = ["muteInterpreter", "unmuteInterpreter"]

    static let connectActions: Set<String> = ["createSession", "joinSession", "refreshConnection", "interpretSession"]

    /// Reads the `action` of a frame without checking the rest, for size and rate decisions.
    public static func actionName(of object: JSONValue) -> String? {
        object["action"]?.stringValue
    }

    /// Parses a text frame.
    /// - Throws: `ProtocolError` with `INVALID_MESSAGE` (not JSON, no action, wrong fields) or
    ///   `UNKNOWN_ACTION`.
    public static func parse(_ text: String) throws(ProtocolError) -> ClientMessage {
        let object: JSONValue
        do {
            object = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        } catch {
            throw ProtocolError(.invalidMessage, "The message is not valid JSON.")
        }
        return try parse(object)
    }

    /// Parses a decoded JSON message.
    public static func parse(_ object: JSONValue) throws(ProtocolError) -> ClientMessage {
        guard case .object = object else {
            throw ProtocolError(.invalidMessage, "The message must be a JSON object with an \"action\".")
        }
        guard let actionValue = object["action"] else {
            throw ProtocolError(.invalidMessage, "The message has no \"action\".")
        }
        guard let action = actionValue.stringValue else {
            throw ProtocolError(.invalidMessage, "\"action\" must be a string.")
        }
        let fields = Fields(object: object, action: action)
        switch action {
        case "sendAudio": return .sendAudio(base64: try fields.string("audioData"))
        case "pauseBroadcast": return .pauseBroadcast
        case "resumeBroadcast": return .resumeBroadcast
        case "muteBroadcast": return .muteBroadcast
        case "unmuteBroadcast": return .unmuteBroadcast
        case "setVolume": return .setVolume(try fields.volume("volumeLevel"))
        case "speakerStateChange": return .speakerStateChange(try fields.speakerState())
        case "getSessionStatus": return .getSessionStatus
        case "changeLanguage":
            let tag = try fields.string("targetLanguage")
            guard let language = LanguageCode(tag) else {
                throw ProtocolError(.unsupportedLanguage, "\"\(tag)\" is not a language tag.", action: action)
            }
            return .changeLanguage(language)
        case "pausePlayback": return .pausePlayback
        case "resumePlayback": return .resumePlayback
        case "muteInterpreter": return .muteInterpreter
        case "unmuteInterpreter": return .unmuteInterpreter
        case "heartbeat": return .heartbeat
        case _ where connectActions.contains(action): return .repeatConnect(action: action)
        case "audioChunk", "endSession", "controlSession": return try parseLegacy(action, fields)
        default:
            throw ProtocolError(.unknownAction, "Unknown action \"\(action)\".", action: action)
        }
    }
}

/// Typed access to a message's fields, with the protocol's error for each mistake.
struct Fields {
    let object: JSONValue
    let action: String

    func string(_ name: String) throws(ProtocolError) -> String {
        guard let value = object[name] else { throw missing(name) }
        guard let string = value.stringValue else { throw wrongType(name, "a string") }
        return string
    }

    func volume(_ name: String) throws(ProtocolError) -> Double {
        guard let value = object[name] else { throw missing(name) }
        return try volume(value, name: name)
    }

    func speakerState() throws(ProtocolError) -> ClientMessage.SpeakerStateUpdate {
        guard let state = object["state"] else { throw missing("state") }
        guard case .object = state else { throw wrongType("state", "an object") }
        var update = ClientMessage.SpeakerStateUpdate()
        if let value = state["isPaused"] {
            guard let flag = value.boolValue else { throw wrongType("state.isPaused", "a boolean") }
            update.isPaused = flag
        }
        if let value = state["isMuted"] {
            guard let flag = value.boolValue else { throw wrongType("state.isMuted", "a boolean") }
            update.isMuted = flag
        }
        if let value = state["volume"] {
            update.volume = try volume(value, name: "state.volume")
        }
        return update
    }

    private func volume(_ value: JSONValue, name: String) throws(ProtocolError) -> Double {
        guard let level = value.doubleValue else { throw wrongType(name, "a number") }
        guard (0.0...1.0).contains(level) else {
            throw ProtocolError(.invalidMessage, "\"\(name)\" must be between 0.0 and 1.0.", action: action)
        }
        return level
    }

    func missing(_ name: String) -> ProtocolError {
        ProtocolError(.invalidMessage, "\"\(action)\" needs the field \"\(name)\".", action: action)
    }

    func wrongType(_ name: String, _ expected: String) -> ProtocolError {
        ProtocolError(.invalidMessage, "\"\(name)\" must be \(expected).", action: action)
    }
}
