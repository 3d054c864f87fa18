import DragomanCore
import Foundation

/// Everything Dragoman keeps across restarts. One implementation per database, chosen in one
/// place (`StoreFactory`); every implementation passes the same conformance suite.
public protocol DragomanStore: Sendable {
    // Credentials
    /// Creates a credential and returns its secret, which is stored only as a hash.
    func createKey(name: String, role: KeyRole) async throws -> CreatedKey
    func keys() async throws -> [KeyRecord]
    /// Revokes the key with this id or name; `false` when there is none, or it is already revoked.
    func revokeKey(idOrName: String) async throws -> Bool
    /// The live (unrevoked) key with this secret, if any.
    func authenticate(secret: String) async throws -> KeyRecord?
    func activeKeyCount() async throws -> Int

    // Interpreters
    /// Creates an interpreter pass for a session and language and returns its secret.
    func createInterpreterPass(sessionId: String, language: LanguageCode, name: String) async throws -> CreatedInterpreterPass
    /// A session's interpreter passes that are not revoked, oldest first.
    func interpreterPasses(sessionId: String) async throws -> [InterpreterPass]
    /// The unrevoked interpreter pass with this secret, if any.
    func interpreterPass(secret: String) async throws -> InterpreterPass?
    /// Revokes a session's interpreter pass; `false` when it has none with this id, or it is already revoked.
    func revokeInterpreterPass(id: String, sessionId: String) async throws -> Bool

    // Sessions
    /// - Throws: `StoreError.duplicateSessionID` when the id is taken.
    func insertSession(_ session: SessionRecord) async throws
    func session(id: String) async throws -> SessionRecord?
    func updateSessionStatus(id: String, status: SessionStatus, at time: Date) async throws
    /// Sessions owned by a key, newest first; ended ones only when asked.
    func sessions(ownedBy keyID: String, includeEnded: Bool) async throws -> [SessionRecord]
    /// Every session that has not ended.
    func openSessions() async throws -> [SessionRecord]

    // Transcripts
    /// Stores a final segment's source text; its translations follow with `insertTranslation`.
    func insertSegment(_ segment: TranscriptSegment) async throws
    /// Stores one translation of a stored segment.
    func insertTranslation(sessionId: String, segmentIndex: Int, language: LanguageCode, text: String) async throws
    /// A session's segments in order, with every stored translation.
    func transcript(sessionId: String) async throws -> [TranscriptSegment]

    // Glossaries
    /// A session's glossary (a JSON document), if one is set; it goes when the session ends
    /// (`updateSessionStatus` to `ended`).
    func glossary(sessionId: String) async throws -> String?
    /// Sets a session's glossary, or removes it (`nil`).
    func setGlossary(sessionId: String, document: String?) async throws

    // Lifecycle events
    /// Appends an event document and returns its sequence number (increasing from 1).
    func appendEvent(document: String) async throws -> Int64
    /// Events after `sequence`, oldest first, at most `limit`.
    func events(after sequence: Int64, limit: Int) async throws -> [StoredEvent]

    /// Checks the database answers (for `/readyz`).
    func ping() async throws
}
