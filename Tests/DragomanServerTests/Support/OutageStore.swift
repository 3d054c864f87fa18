import DragomanCore
import DragomanStore
import Foundation
import Synchronization

/// A real store that a test can take down: while `isDown`, every call throws as a database that
/// does not answer would; otherwise it is the store it wraps.
final class OutageStore: DragomanStore {
    struct Down: Error {}

    private let base: any DragomanStore
    private let down = Atomic(false)

    init(_ base: any DragomanStore) {
        self.base = base
    }

    /// Whether the database is away.
    var isDown: Bool {
        get { down.load(ordering: .relaxed) }
        set { down.store(newValue, ordering: .relaxed) }
    }

    private func answering() throws {
        if isDown { throw Down() }
    }

    private let delay = Atomic(0)

    /// How long each write of a live session (segment, translation, event, status) takes, as on a
    /// slow disk or an overloaded database; none by default.
    var writeDelay: Duration {
        get { .milliseconds(delay.load(ordering: .relaxed)) }
        set { delay.store(Int(newValue / .milliseconds(1)), ordering: .relaxed) }
    }

    private func writing() async throws {
        try answering()
        if writeDelay > .zero { try await Task.sleep(for: writeDelay) }
    }

    func createKey(name: String, role: KeyRole) async throws -> CreatedKey {
        try answering()
        return try await base.createKey(name: name, role: role)
    }
    func keys() async throws -> [KeyRecord] {
        try answering()
        return try await base.keys()
    }
    func revokeKey(idOrName: String) async throws -> Bool {
        try answering()
        return try await base.revokeKey(idOrName: idOrName)
    }
    func authenticate(secret: String) async throws -> KeyRecord? {
        try answering()
        return try await base.authenticate(secret: secret)
    }
    func activeKeyCount() async throws -> Int {
        try answering()
        return try await base.activeKeyCount()
    }
    func createInterpreterPass(sessionId: String, language: LanguageCode, name: String) async throws -> CreatedInterpreterPass {
        try answering()
        return try await base.createInterpreterPass(sessionId: sessionId, language: language, name: name)
    }
    func interpreterPasses(sessionId: String) async throws -> [InterpreterPass] {
        try answering()
        return try await base.interpreterPasses(sessionId: sessionId)
    }
    func interpreterPass(secret: String) async throws -> InterpreterPass? {
        try answering()
        return try await base.interpreterPass(secret: secret)
    }
    func revokeInterpreterPass(id: String, sessionId: String) async throws -> Bool {
        try answering()
        return try await base.revokeInterpreterPass(id: id, sessionId: sessionId)
    }
    func insertSession(_ session: SessionRecord) async throws {
        try answering()
        try await base.insertSession(session)
    }
    func session(id: String) async throws -> SessionRecord? {
        try answering()
        return try await base.session(id: id)
    }
    func updateSessionStatus(id: String, status: SessionStatus, at time: Date) async throws {
        try await writing()
        try await base.updateSessionStatus(id: id, status: status, at: time)
    }
    func sessions(ownedBy keyID: String, includeEnded: Bool) async throws -> [SessionRecord] {
        try answering()
        return try await base.sessions(ownedBy: keyID, includeEnded: includeEnded)
    }
    func openSessions() async throws -> [SessionRecord] {
        try answering()
        return try await base.openSessions()
    }
    func insertSegment(_ segment: TranscriptSegment) async throws {
        try await writing()
        try await base.insertSegment(segment)
    }
    func insertTranslation(sessionId: String, segmentIndex: Int, language: LanguageCode, text: String) async throws {
        try await writing()
        try await base.insertTranslation(sessionId: sessionId, segmentIndex: segmentIndex, language: language, text: text)
    }
    func transcript(sessionId: String) async throws -> [TranscriptSegment] {
        try answering()
        return try await base.transcript(sessionId: sessionId)
    }
    func glossary(sessionId: String) async throws -> String? {
        try answering()
        return try await base.glossary(sessionId: sessionId)
    }
    func setGlossary(sessionId: String, document: String?) async throws {
        try answering()
        try await base.setGlossary(sessionId: sessionId, document: document)
    }
    func appendEvent(document: String) async throws -> Int64 {
        try await writing()
        return try await base.appendEvent(document: document)
    }
    func events(after sequence: Int64, limit: Int) async throws -> [StoredEvent] {
        try answering()
        return try await base.events(after: sequence, limit: limit)
    }
    func ping() async throws {
        try answering()
        try await base.ping()
    }
}
