import DragomanCore
import HTTPTypes

/// The connect action of a `/ws` URL and its parameters (docs/protocol.md, "Connecting").
enum ConnectRequest: Sendable {
    /// A speaker opening a new session, or reattaching to `sessionId`.
    case createSession(sourceLanguage: LanguageCode, token: String, sessionId: String?, title: String?, qualityTier: String?, targetLanguages: [LanguageCode])
    case joinSession(sessionId: String, targetLanguage: LanguageCode, passcode: String?)
    case refreshSpeaker(sessionId: String, token: String)
    case refreshListener(sessionId: String, targetLanguage: LanguageCode, passcode: String?)
    /// **(Dragoman)** An interpreter, with the token of its pass, optionally connecting muted.
    case interpretSession(sessionId: String, token: String, muted: Bool)

    /// The connect action's name, as the client sent it.
    var action: String {
        switch self {
        case .createSession: "createSession"
        case .joinSession: "joinSession"
        case .refreshSpeaker, .refreshListener: "refreshConnection"
        case .interpretSession: "interpretSession"
        }
    }

    var role: Role {
        switch self {
        case .createSession, .refreshSpeaker: .speaker
        case .joinSession, .refreshListener: .listener
        case .interpretSession: .interpreter
        }
    }

    /// Reads the query parameters.
    /// - Throws: `ProtocolError` naming what is missing or wrong.
    init(query: [String: String]) throws(ProtocolError) {
        let action = query["action"] ?? ""
        func required(_ name: String) throws(ProtocolError) -> String {
            guard let value = query[name], !value.isEmpty else {
                throw ProtocolError(.invalidMessage, "\(action) needs the query parameter \"\(name)\".", action: action)
            }
            return value
        }
        func language(_ name: String) throws(ProtocolError) -> LanguageCode {
            let tag = try required(name)
            guard let code = LanguageCode(tag) else {
                throw ProtocolError(.unsupportedLanguage, "\"\(tag)\" is not a language tag.", action: action)
            }
            return code
        }
        func sessionID() throws(ProtocolError) -> String {
            let typed = try required("sessionId")
            guard let id = SessionID.normalize(typed) else {
                throw ProtocolError(.sessionNotFound, "There is no session \"\(typed)\".", action: action)
            }
            return id
        }
        switch action {
        case "createSession":
            let sessionId: String?
            if let typed = query["sessionId"], !typed.isEmpty {
                sessionId = try sessionID()
            } else {
                sessionId = nil
            }
            let targets = (query["targetLanguages"] ?? "").split(separator: ",").compactMap { LanguageCode(String($0)) }
            self = .createSession(
                sourceLanguage: try language("sourceLanguage"), token: try required("token"), sessionId: sessionId,
                title: query["title"], qualityTier: query["qualityTier"], targetLanguages: targets)
        case "joinSession":
            self = .joinSession(sessionId: try sessionID(), targetLanguage: try language("targetLanguage"), passcode: query["passcode"])
        case "interpretSession":
            self = .interpretSession(sessionId: try sessionID(), token: try required("token"), muted: query["muted"] == "true")
        case "refreshConnection":
            switch try required("role") {
            case "speaker": self = .refreshSpeaker(sessionId: try sessionID(), token: try required("token"))
            case "listener":
                self = .refreshListener(sessionId: try sessionID(), targetLanguage: try language("targetLanguage"), passcode: query["passcode"])
            case let role:
                throw ProtocolError(.invalidMessage, "role must be \"speaker\" or \"listener\", not \"\(role)\".", action: action)
            }
        case "":
            throw ProtocolError(
                .invalidMessage,
                "Connect with ?action=createSession, joinSession, refreshConnection or interpretSession; without an action, give sessionId "
                    + "and targetLanguage (a listener) or sessionId and token (that session's speaker).")
        default:
            throw ProtocolError(.unknownAction, "Unknown connect action \"\(action)\".", action: action)
        }
    }
}

/// Why a connect is refused: before the upgrade with an HTTP status, or after it with an `error`.
struct ConnectRefusal: Error {
    /// The upgrade's answer; `nil` to upgrade and then send `error` and close (1008).
    var httpStatus: HTTPResponse.Status?
    var error: ProtocolError

    /// Refusals that are a failed guess count against the address's failed-connect allowance.
    var isFailedGuess: Bool { httpStatus == .unauthorized || httpStatus == .notFound || httpStatus == .forbidden }
}
