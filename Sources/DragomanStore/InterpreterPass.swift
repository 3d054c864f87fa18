import DragomanCore
import Foundation

/// **(Dragoman)** A credential that lets one person interpret one session into one language,
/// made by the session's owner. Like a key, only the hash of its secret is stored.
public struct InterpreterPass: Sendable, Equatable, Codable {
    public var id: String
    public var sessionId: String
    public var language: LanguageCode
    /// Who interprets, as listeners and the speaker see it ("Maria").
    public var name: String
    public var createdAt: Date

    public init(id: String, sessionId: String, language: LanguageCode, name: String, createdAt: Date) {
        self.id = id
        self.sessionId = sessionId
        self.language = language
        self.name = name
        self.createdAt = createdAt
    }
}

/// An interpreter pass just created: the record and, this once, its secret.
public struct CreatedInterpreterPass: Sendable {
    public var pass: InterpreterPass
    public var secret: String

    /// Makes a pass with a fresh identifier and secret.
    static func make(sessionId: String, language: LanguageCode, name: String) -> CreatedInterpreterPass {
        CreatedInterpreterPass(
            pass: InterpreterPass(
                id: Secrets.newIdentifier(prefix: "int"), sessionId: sessionId, language: language, name: name, createdAt: Date()),
            secret: Secrets.newInterpreterToken())
    }
}
