import DragomanCore
import DragomanStore
import Foundation
import Testing

/// The behaviour every `DragomanStore` must have, written against the protocol alone so each
/// backend (SQLite here, PostgreSQL when a database URL is set) runs the same checks. Every check
/// uses fresh names and ids and compares against what it saw first, so it also holds on a shared
/// database that earlier runs have written to.
enum StoreConformance {
    /// Runs every check.
    static func run(_ store: any DragomanStore) async throws {
        try await keys(store)
        try await revocation(store)
        try await interpreterPasses(store)
        try await sessions(store)
        try await sessionStatus(store)
        try await ownerListing(store)
        try await transcripts(store)
        try await events(store)
        try await glossaries(store)
        try await store.ping()
    }

    /// A name no earlier run used.
    static func unique(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// A new session record owned by `owner`.
    static func sessionRecord(owner: String, status: SessionStatus = .created, createdAt: Date = Date()) -> SessionRecord {
        SessionRecord(
            id: unique("conformance-session"), title: "Conformance", sourceLanguage: LanguageCode("en")!,
            targetLanguages: [LanguageCode("es")!, LanguageCode("fr")!], passcodeHash: Secrets.passcodeHash("1234"),
            ownerKeyID: owner, qualityTier: "standard", status: status, createdAt: createdAt, speakerName: "Ada Lovelace")
    }

    /// Interpreter passes: scoped to a session, found by their secret, listed until revoked;
    /// a speaker key is not one, nor is a pass a key.
    static func interpreterPasses(_ store: any DragomanStore) async throws {
        let sessionId = unique("interpreted-session")
        let spanish = try await store.createInterpreterPass(sessionId: sessionId, language: LanguageCode("es")!, name: "María")
        let french = try await store.createInterpreterPass(sessionId: sessionId, language: LanguageCode("fr")!, name: "Jean")
        let elsewhere = try await store.createInterpreterPass(sessionId: unique("other-session"), language: LanguageCode("es")!, name: "Ana")
        #expect(spanish.secret != french.secret)
        #expect(spanish.pass.id != french.pass.id)

        let found = try await store.interpreterPass(secret: spanish.secret)
        #expect(found?.id == spanish.pass.id)
        #expect(found?.sessionId == sessionId)
        #expect(found?.name == "María")
        #expect(found?.language == LanguageCode("es"))
        #expect(try await store.interpreterPass(secret: spanish.secret + "x") == nil)
        #expect(try await store.authenticate(secret: spanish.secret) == nil)
        let key = try await store.createKey(name: unique("speaker"), role: .speaker)
        #expect(try await store.interpreterPass(secret: key.secret) == nil)

        #expect(try await store.interpreterPasses(sessionId: sessionId).map(\.id) == [spanish.pass.id, french.pass.id])

        // Only the pass's own session revokes it, and only once.
        #expect(try await !store.revokeInterpreterPass(id: spanish.pass.id, sessionId: elsewhere.pass.sessionId))
        #expect(try await store.revokeInterpreterPass(id: spanish.pass.id, sessionId: sessionId))
        #expect(try await !store.revokeInterpreterPass(id: spanish.pass.id, sessionId: sessionId))
        #expect(try await store.interpreterPass(secret: spanish.secret) == nil)
        #expect(try await store.interpreterPasses(sessionId: sessionId).map(\.id) == [french.pass.id])
        #expect(try await store.interpreterPass(secret: elsewhere.secret)?.sessionId == elsewhere.pass.sessionId)
    }

    /// Keys: the secret is returned once and authenticates; a wrong one does not.
    static func keys(_ store: any DragomanStore) async throws {
        let countBefore = try await store.activeKeyCount()
        let name = unique("speaker")
        let created = try await store.createKey(name: name, role: .speaker)
        #expect(!created.secret.isEmpty)
        #expect(created.record.name == name)
        #expect(created.record.role == .speaker)
        #expect(!created.record.isRevoked)
        #expect(try await store.activeKeyCount() == countBefore + 1)

        let found = try await store.authenticate(secret: created.secret)
        #expect(found?.id == created.record.id)
        #expect(found?.role == .speaker)
        #expect(try await store.authenticate(secret: created.secret + "x") == nil)
        #expect(try await store.authenticate(secret: "") == nil)

        let operatorKey = try await store.createKey(name: unique("operator"), role: .operator)
        #expect(operatorKey.secret != created.secret)
        #expect(try await store.authenticate(secret: operatorKey.secret)?.role == .operator)

        let listed = try await store.keys()
        #expect(listed.contains { $0.id == created.record.id && $0.name == name })
        #expect(listed.contains { $0.id == operatorKey.record.id })
    }

    /// Revoking by id or by name; a revoked key no longer authenticates and is not revoked twice.
    static func revocation(_ store: any DragomanStore) async throws {
        let byID = try await store.createKey(name: unique("revoke-by-id"), role: .speaker)
        let byName = try await store.createKey(name: unique("revoke-by-name"), role: .operator)
        let countBefore = try await store.activeKeyCount()

        #expect(try await store.revokeKey(idOrName: byID.record.id))
        #expect(try await store.authenticate(secret: byID.secret) == nil)
        #expect(try await store.revokeKey(idOrName: byName.record.name))
        #expect(try await store.authenticate(secret: byName.secret) == nil)
        #expect(try await store.activeKeyCount() == countBefore - 2)

        #expect(try await store.revokeKey(idOrName: byID.record.id) == false)
        #expect(try await store.revokeKey(idOrName: unique("no-such-key")) == false)
        let listed = try await store.keys()
        #expect(listed.first { $0.id == byID.record.id }?.isRevoked == true)
        #expect(listed.first { $0.id == byName.record.id }?.revokedAt != nil)
    }

    /// Sessions are stored whole and their ids are unique.
    static func sessions(_ store: any DragomanStore) async throws {
        let owner = try await store.createKey(name: unique("owner"), role: .speaker).record.id
        // Whole seconds, so any backend's time resolution keeps it exactly.
        let record = sessionRecord(owner: owner, createdAt: Date(timeIntervalSince1970: 1_700_000_000))
        try await store.insertSession(record)
        let read = try #require(try await store.session(id: record.id))
        #expect(read == record)
        #expect(read.endedAt == nil)
        #expect(read.targetLanguages.map(\.rawValue) == ["es", "fr"])
        #expect(read.speakerName == "Ada Lovelace")
        #expect(Secrets.passcode("1234", matches: try #require(read.passcodeHash)))

        var duplicate = sessionRecord(owner: owner)
        duplicate.id = record.id
        await #expect(throws: StoreError.duplicateSessionID(record.id)) {
            try await store.insertSession(duplicate)
        }
        #expect(try await store.session(id: record.id)?.title == "Conformance")
        #expect(try await store.session(id: unique("no-such-session")) == nil)

        var open = sessionRecord(owner: owner)
        open.passcodeHash = nil
        open.qualityTier = nil
        open.targetLanguages = []
        open.speakerName = nil
        try await store.insertSession(open)
        let readOpen = try #require(try await store.session(id: open.id))
        #expect(readOpen.passcodeHash == nil)
        #expect(readOpen.qualityTier == nil)
        #expect(readOpen.targetLanguages.isEmpty)
        #expect(readOpen.speakerName == nil)
    }

    /// Status changes are stored; ending sets `endedAt`; open sessions exclude ended ones.
    static func sessionStatus(_ store: any DragomanStore) async throws {
        let owner = try await store.createKey(name: unique("owner"), role: .speaker).record.id
        let record = sessionRecord(owner: owner)
        try await store.insertSession(record)
        #expect(try await store.openSessions().contains { $0.id == record.id })

        let activeAt = Date(timeIntervalSince1970: 1_700_000_100)
        try await store.updateSessionStatus(id: record.id, status: .active, at: activeAt)
        var read = try #require(try await store.session(id: record.id))
        #expect(read.status == .active)
        #expect(read.updatedAt == activeAt)
        #expect(read.endedAt == nil)

        try await store.updateSessionStatus(id: record.id, status: .paused, at: Date(timeIntervalSince1970: 1_700_000_200))
        #expect(try await store.session(id: record.id)?.status == .paused)
        #expect(try await store.openSessions().first { $0.id == record.id }?.status == .paused)

        let endedAt = Date(timeIntervalSince1970: 1_700_000_300)
        try await store.updateSessionStatus(id: record.id, status: .ended, at: endedAt)
        read = try #require(try await store.session(id: record.id))
        #expect(read.status == .ended)
        #expect(read.endedAt == endedAt)
        #expect(read.updatedAt == endedAt)
        #expect(try await store.openSessions().contains { $0.id == record.id } == false)

        // Updating an unknown session is not an error and creates nothing.
        let ghost = unique("ghost")
        try await store.updateSessionStatus(id: ghost, status: .active, at: Date())
        #expect(try await store.session(id: ghost) == nil)
    }

    /// A glossary is set, replaced, removed, and goes when its session ends.
    static func glossaries(_ store: any DragomanStore) async throws {
        let owner = try await store.createKey(name: unique("owner"), role: .speaker).record.id
        let record = sessionRecord(owner: owner)
        try await store.insertSession(record)
        #expect(try await store.glossary(sessionId: record.id) == nil)
        try await store.setGlossary(sessionId: record.id, document: #"{"terms":[{"source":"Dragoman"}]}"#)
        try await store.setGlossary(sessionId: record.id, document: #"{"terms":[{"source":"Main Street"}]}"#)
        #expect(try await store.glossary(sessionId: record.id) == #"{"terms":[{"source":"Main Street"}]}"#)
        try await store.setGlossary(sessionId: record.id, document: nil)
        #expect(try await store.glossary(sessionId: record.id) == nil)

        try await store.setGlossary(sessionId: record.id, document: #"{"terms":[{"source":"Dragoman"}]}"#)
        try await store.updateSessionStatus(id: record.id, status: .active, at: Date())
        #expect(try await store.glossary(sessionId: record.id) != nil)
        try await store.updateSessionStatus(id: record.id, status: .ended, at: Date())
        #expect(try await store.glossary(sessionId: record.id) == nil)
    }

    /// A key sees its own sessions, newest first, and ended ones only when asked.
    static func ownerListing(_ store: any DragomanStore) async throws {
        let owner = try await store.createKey(name: unique("owner"), role: .speaker).record.id
        let other = try await store.createKey(name: unique("other"), role: .speaker).record.id
        let older = sessionRecord(owner: owner, createdAt: Date(timeIntervalSince1970: 1_700_000_000))
        let newer = sessionRecord(owner: owner, createdAt: Date(timeIntervalSince1970: 1_700_000_500))
        let ended = sessionRecord(owner: owner, createdAt: Date(timeIntervalSince1970: 1_700_000_900))
        let foreign = sessionRecord(owner: other)
        for record in [older, newer, ended, foreign] { try await store.insertSession(record) }
        try await store.updateSessionStatus(id: ended.id, status: .ended, at: Date())

        #expect(try await store.sessions(ownedBy: owner, includeEnded: false).map(\.id) == [newer.id, older.id])
        #expect(try await store.sessions(ownedBy: owner, includeEnded: true).map(\.id) == [ended.id, newer.id, older.id])
        #expect(try await store.sessions(ownedBy: other, includeEnded: true).map(\.id) == [foreign.id])
        #expect(try await store.sessions(ownedBy: unique("nobody"), includeEnded: true).isEmpty)
    }

    /// Final segments and their translations come back in order, per session.
    static func transcripts(_ store: any DragomanStore) async throws {
        let session = unique("conformance-transcript")
        let other = unique("conformance-transcript")
        let en = LanguageCode("en")!
        let es = LanguageCode("es")!
        let fr = LanguageCode("fr")!
        #expect(try await store.transcript(sessionId: session).isEmpty)

        // Stored out of order; a segment may carry translations already.
        try await store.insertSegment(TranscriptSegment(sessionId: session, index: 2, startTime: 3.5, endTime: 6.25, sourceLanguage: en, sourceText: "Second."))
        try await store.insertSegment(
            TranscriptSegment(
                sessionId: session, index: 1, startTime: 0.5, endTime: 3, sourceLanguage: en, sourceText: "First.", translations: [fr: "Premier."]))
        try await store.insertSegment(TranscriptSegment(sessionId: other, index: 1, startTime: 0, endTime: 1, sourceLanguage: en, sourceText: "Elsewhere."))
        try await store.insertTranslation(sessionId: session, segmentIndex: 1, language: es, text: "Primero.")
        try await store.insertTranslation(sessionId: session, segmentIndex: 2, language: es, text: "Segundo.")

        let transcript = try await store.transcript(sessionId: session)
        #expect(transcript.map(\.index) == [1, 2])
        #expect(
            transcript.first
                == TranscriptSegment(
                    sessionId: session, index: 1, startTime: 0.5, endTime: 3, sourceLanguage: en, sourceText: "First.",
                    translations: [fr: "Premier.", es: "Primero."]))
        #expect(transcript.last?.translations == [es: "Segundo."])
        #expect(transcript.last?.text(in: en) == "Second.")
        #expect(transcript.last?.text(in: fr) == nil)
        #expect(try await store.transcript(sessionId: other).map(\.sourceText) == ["Elsewhere."])

        // Storing a translation again replaces it.
        try await store.insertTranslation(sessionId: session, segmentIndex: 2, language: es, text: "Segundo, corregido.")
        #expect(try await store.transcript(sessionId: session).last?.translations[es] == "Segundo, corregido.")
    }

    /// Events get increasing sequence numbers and are read back in pages.
    static func events(_ store: any DragomanStore) async throws {
        let documents = (0..<5).map { #"{"n":\#($0),"run":"\#(unique("run"))"}"# }
        var sequences: [Int64] = []
        for document in documents { sequences.append(try await store.appendEvent(document: document)) }
        #expect(sequences.first! >= 1)
        #expect(zip(sequences, sequences.dropFirst()).allSatisfy { $0 < $1 })

        let start = sequences[0] - 1
        let all = try await store.events(after: start, limit: 100)
        #expect(Array(all.prefix(5)) == zip(sequences, documents).map { StoredEvent(sequence: $0, document: $1) })

        let page = try await store.events(after: start, limit: 2)
        #expect(page.map(\.sequence) == Array(sequences.prefix(2)))
        let next = try await store.events(after: page.last!.sequence, limit: 2)
        #expect(next.map(\.sequence) == Array(sequences[2..<4]))
        #expect(try await store.events(after: sequences.last!, limit: 10).isEmpty)
        #expect(try await store.events(after: start, limit: 0).isEmpty)
    }

    /// What one store wrote, a store opened later on the same database reads. `withStore` opens
    /// the database, runs its body with the store, and closes it.
    static func persistence(withStore: ((any DragomanStore) async throws -> Void) async throws -> Void) async throws {
        var written: (key: CreatedKey, revoked: CreatedKey, session: SessionRecord, sequence: Int64)?
        try await withStore { first in
            let key = try await first.createKey(name: unique("persistent"), role: .operator)
            let revoked = try await first.createKey(name: unique("persistent-revoked"), role: .speaker)
            _ = try await first.revokeKey(idOrName: revoked.record.id)
            let session = sessionRecord(owner: key.record.id, createdAt: Date(timeIntervalSince1970: 1_700_000_000))
            try await first.insertSession(session)
            try await first.updateSessionStatus(id: session.id, status: .paused, at: Date(timeIntervalSince1970: 1_700_000_060))
            let sequence = try await first.appendEvent(document: #"{"persistent":true}"#)
            written = (key, revoked, session, sequence)
        }
        let (key, revoked, session, sequence) = try #require(written)

        try await withStore { second in
            #expect(try await second.authenticate(secret: key.secret)?.id == key.record.id)
            #expect(try await second.authenticate(secret: revoked.secret) == nil)
            let read = try #require(try await second.session(id: session.id))
            #expect(read.status == .paused)
            #expect(read.title == session.title)
            #expect(read.passcodeHash == session.passcodeHash)
            #expect(try await second.openSessions().contains { $0.id == session.id })
            #expect(try await second.events(after: sequence - 1, limit: 1) == [StoredEvent(sequence: sequence, document: #"{"persistent":true}"#)])
            #expect(try await second.appendEvent(document: "{}") > sequence)
        }
    }
}
