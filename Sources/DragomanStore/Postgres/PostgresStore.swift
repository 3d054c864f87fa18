import DragomanCore
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// The store of a cluster: one PostgreSQL database (postgres-nio) shared by every Dragoman node.
/// Opening it checks the database answers and applies the migrations it lacks.
///
/// Its connection pool runs only while `run()` runs, and must stop after whatever uses the store:
/// the pool waits for the connections it lent (a speaker lease holds one) to come back. Either a
/// child task of `withOpened`, stopped once its body has returned, or a `Service` listed first in
/// a service group (stopped last in a graceful shutdown). A query made before it runs waits.
public final class PostgresStore: DragomanStore, Service {
    /// The connection pool, also used by the cluster's coordination.
    public let client: PostgresClient
    public let location: PostgresLocation
    private let logger: Logger

    /// The database could not be reached or prepared; says where, never with the password.
    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    private init(location: PostgresLocation, logger: Logger) {
        self.location = location
        self.logger = logger
        client = PostgresClient(configuration: location.clientConfiguration, backgroundLogger: logger)
    }

    /// Connects to the database at `url` and applies its migrations; the pool is not running yet
    /// (`run()`).
    /// - Throws: `PostgresLocation.Invalid` for a bad URL, `Unavailable` when the database does not answer.
    public static func open(url: String, logger: Logger) async throws -> PostgresStore {
        let location = try PostgresLocation(url: url)
        let connection: PostgresConnection
        do {
            connection = try await location.connect(logger: logger)
        } catch {
            throw Unavailable(description: "Could not open the database \(location): \(Self.describe(error))")
        }
        do {
            try await PostgresMigrations.apply(on: connection, logger: logger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw Unavailable(description: "Could not prepare the database \(location): \(Self.describe(error))")
        }
        return PostgresStore(location: location, logger: logger)
    }

    /// Opens the database at `url` (`open`), runs its connection pool as a child task while `body`
    /// uses the store, and stops the pool once `body` has returned or thrown.
    public static func withOpened<Value>(
        url: String, logger: Logger, _ body: (PostgresStore) async throws -> Value
    ) async throws -> Value {
        let store = try await open(url: url, logger: logger)
        let (starting, started) = AsyncStream.makeStream(of: Never.self)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                started.finish()
                await store.run()
            }
            defer { group.cancelAll() }
            // The body's first query does not race the pool's start (postgres-nio warns of it).
            for await _ in starting {}
            return try await body(store)
        }
    }

    /// Runs the connection pool until cancelled or shut down gracefully.
    public func run() async {
        await client.run()
    }

    /// An error of the database in a line: the server's message where there is one, else what
    /// the connection ran into (`PSQLError`'s own description hides both).
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] { return message }
        return error.underlying.map { "\($0)" } ?? "\(error.code)"
    }

    // MARK: Credentials

    public func createKey(name: String, role: KeyRole) async throws -> CreatedKey {
        let secret = Secrets.newKey()
        let record = KeyRecord(id: Secrets.newIdentifier(prefix: "key"), name: name, role: role, createdAt: Date())
        try await client.query(
            """
            INSERT INTO keys (id, name, role, secret_hash, created_at)
            VALUES (\(record.id), \(record.name), \(record.role.rawValue), \(Secrets.keyHash(secret)), \(record.createdAt.timeIntervalSince1970))
            """, logger: logger)
        return CreatedKey(record: record, secret: secret)
    }

    private static let keyColumns = "id, name, role, created_at, revoked_at"

    public func keys() async throws -> [KeyRecord] {
        try await keys(PostgresQuery(unsafeSQL: "SELECT \(Self.keyColumns) FROM keys ORDER BY created_at"))
    }

    private func keys(_ query: PostgresQuery) async throws -> [KeyRecord] {
        var keys: [KeyRecord] = []
        let rows = try await client.query(query, logger: logger)
        for try await (id, name, role, createdAt, revokedAt) in rows.decode((String, String, String, Double, Double?).self) {
            keys.append(
                KeyRecord(
                    id: id, name: name, role: KeyRole(rawValue: role) ?? .speaker, createdAt: Date(timeIntervalSince1970: createdAt),
                    revokedAt: revokedAt.map(Date.init(timeIntervalSince1970:))))
        }
        return keys
    }

    public func revokeKey(idOrName: String) async throws -> Bool {
        let rows = try await client.query(
            """
            UPDATE keys SET revoked_at = \(Date().timeIntervalSince1970)
            WHERE (id = \(idOrName) OR name = \(idOrName)) AND revoked_at IS NULL RETURNING id
            """, logger: logger)
        return try await rows.collect().count > 0
    }

    public func authenticate(secret: String) async throws -> KeyRecord? {
        var query = PostgresQuery(unsafeSQL: "SELECT \(Self.keyColumns) FROM keys WHERE secret_hash = $1 AND revoked_at IS NULL")
        query.binds.append(Secrets.keyHash(secret))
        return try await keys(query).first
    }

    public func activeKeyCount() async throws -> Int {
        try await single(client.query("SELECT count(*) FROM keys WHERE revoked_at IS NULL", logger: logger), as: Int.self) ?? 0
    }

    // MARK: Interpreters

    public func createInterpreterPass(sessionId: String, language: LanguageCode, name: String) async throws -> CreatedInterpreterPass {
        let created = CreatedInterpreterPass.make(sessionId: sessionId, language: language, name: name)
        let pass = created.pass
        try await client.query(
            """
            INSERT INTO interpreter_passes (id, session_id, language, name, secret_hash, created_at)
            VALUES (\(pass.id), \(pass.sessionId), \(pass.language.rawValue), \(pass.name), \(Secrets.keyHash(created.secret)),
                    \(pass.createdAt.timeIntervalSince1970))
            """, logger: logger)
        return created
    }

    private static let interpreterPassColumns = "id, session_id, language, name, created_at"

    public func interpreterPasses(sessionId: String) async throws -> [InterpreterPass] {
        var query = PostgresQuery(
            unsafeSQL: """
                SELECT \(Self.interpreterPassColumns) FROM interpreter_passes
                WHERE session_id = $1 AND revoked_at IS NULL ORDER BY created_at, id
                """)
        query.binds.append(sessionId)
        return try await interpreterPasses(query)
    }

    public func interpreterPass(secret: String) async throws -> InterpreterPass? {
        var query = PostgresQuery(unsafeSQL: "SELECT \(Self.interpreterPassColumns) FROM interpreter_passes WHERE secret_hash = $1 AND revoked_at IS NULL")
        query.binds.append(Secrets.keyHash(secret))
        return try await interpreterPasses(query).first
    }

    private func interpreterPasses(_ query: PostgresQuery) async throws -> [InterpreterPass] {
        var passes: [InterpreterPass] = []
        let rows = try await client.query(query, logger: logger)
        for try await (id, sessionId, language, name, createdAt) in rows.decode((String, String, String, String, Double).self) {
            passes.append(
                InterpreterPass(
                    id: id, sessionId: sessionId, language: LanguageCode(language) ?? LanguageCode("en")!, name: name,
                    createdAt: Date(timeIntervalSince1970: createdAt)))
        }
        return passes
    }

    public func revokeInterpreterPass(id: String, sessionId: String) async throws -> Bool {
        let rows = try await client.query(
            """
            UPDATE interpreter_passes SET revoked_at = \(Date().timeIntervalSince1970)
            WHERE id = \(id) AND session_id = \(sessionId) AND revoked_at IS NULL RETURNING id
            """, logger: logger)
        return try await rows.collect().count > 0
    }

    // MARK: Sessions

    public func insertSession(_ session: SessionRecord) async throws {
        let targets = session.targetLanguages.map(\.rawValue).joined(separator: ",")
        let rows = try await client.query(
            """
            INSERT INTO sessions (id, title, speaker_name, source_language, target_languages, passcode_hash, owner_key_id,
                                  quality_tier, status, created_at, updated_at, ended_at)
            VALUES (\(session.id), \(session.title), \(session.speakerName), \(session.sourceLanguage.rawValue), \(targets), \(session.passcodeHash),
                    \(session.ownerKeyID), \(session.qualityTier), \(session.status.rawValue), \(session.createdAt.timeIntervalSince1970),
                    \(session.updatedAt.timeIntervalSince1970), \(session.endedAt?.timeIntervalSince1970))
            ON CONFLICT (id) DO NOTHING RETURNING id
            """, logger: logger)
        guard try await rows.collect().count == 1 else { throw StoreError.duplicateSessionID(session.id) }
    }

    private static let sessionColumns = """
        id, title, source_language, target_languages, passcode_hash, owner_key_id, quality_tier, status, created_at, updated_at, ended_at,
        speaker_name
        """

    private func sessions(_ query: PostgresQuery) async throws -> [SessionRecord] {
        var sessions: [SessionRecord] = []
        let rows = try await client.query(query, logger: logger)
        for try await row in rows {
            let (id, title, source, targets, passcodeHash, owner, tier, status, createdAt, updatedAt, endedAt, speakerName) = try row.decode(
                (String, String, String, String, String?, String, String?, String, Double, Double, Double?, String?).self)
            var record = SessionRecord(
                id: id, title: title, sourceLanguage: LanguageCode(source) ?? LanguageCode("en")!,
                targetLanguages: targets.split(separator: ",").compactMap { LanguageCode(String($0)) },
                passcodeHash: passcodeHash, ownerKeyID: owner, qualityTier: tier, status: SessionStatus(rawValue: status) ?? .ended,
                createdAt: Date(timeIntervalSince1970: createdAt), speakerName: speakerName)
            record.updatedAt = Date(timeIntervalSince1970: updatedAt)
            record.endedAt = endedAt.map(Date.init(timeIntervalSince1970:))
            sessions.append(record)
        }
        return sessions
    }

    public func session(id: String) async throws -> SessionRecord? {
        var query = PostgresQuery(unsafeSQL: "SELECT \(Self.sessionColumns) FROM sessions WHERE id = $1")
        query.binds.append(id)
        return try await sessions(query).first
    }

    public func updateSessionStatus(id: String, status: SessionStatus, at time: Date) async throws {
        let seconds = time.timeIntervalSince1970
        // One statement: the glossary of an ended session goes with it.
        try await client.query(
            """
            WITH ended AS (DELETE FROM glossaries WHERE session_id = \(id) AND \(status.rawValue) = 'ended')
            UPDATE sessions SET status = \(status.rawValue), updated_at = \(seconds),
                ended_at = CASE WHEN \(status.rawValue) = 'ended' THEN \(seconds) ELSE ended_at END
            WHERE id = \(id)
            """, logger: logger)
    }

    public func sessions(ownedBy keyID: String, includeEnded: Bool) async throws -> [SessionRecord] {
        var query = PostgresQuery(
            unsafeSQL: """
                SELECT \(Self.sessionColumns) FROM sessions WHERE owner_key_id = $1 AND ($2 OR status <> 'ended') ORDER BY created_at DESC
                """)
        query.binds.append(keyID)
        query.binds.append(includeEnded)
        return try await sessions(query)
    }

    public func openSessions() async throws -> [SessionRecord] {
        try await sessions(PostgresQuery(unsafeSQL: "SELECT \(Self.sessionColumns) FROM sessions WHERE status <> 'ended' ORDER BY created_at"))
    }

    // MARK: Transcripts

    public func insertSegment(_ segment: TranscriptSegment) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                INSERT INTO segments (session_id, segment_index, start_time, end_time, source_language, source_text)
                VALUES (\(segment.sessionId), \(segment.index), \(segment.startTime), \(segment.endTime),
                        \(segment.sourceLanguage.rawValue), \(segment.sourceText))
                ON CONFLICT (session_id, segment_index) DO UPDATE SET
                    start_time = excluded.start_time, end_time = excluded.end_time,
                    source_language = excluded.source_language, source_text = excluded.source_text
                """, logger: logger)
            for (language, text) in segment.translations {
                try await connection.query(Self.upsertTranslation(segment.sessionId, segment.index, language, text), logger: logger)
            }
        }
    }

    public func insertTranslation(sessionId: String, segmentIndex: Int, language: LanguageCode, text: String) async throws {
        try await client.query(Self.upsertTranslation(sessionId, segmentIndex, language, text), logger: logger)
    }

    private static func upsertTranslation(_ sessionId: String, _ segmentIndex: Int, _ language: LanguageCode, _ text: String) -> PostgresQuery {
        """
        INSERT INTO translations (session_id, segment_index, language, text) VALUES (\(sessionId), \(segmentIndex), \(language.rawValue), \(text))
        ON CONFLICT (session_id, segment_index, language) DO UPDATE SET text = excluded.text
        """
    }

    public func transcript(sessionId: String) async throws -> [TranscriptSegment] {
        var segments: [TranscriptSegment] = []
        let rows = try await client.query(
            """
            SELECT segment_index, start_time, end_time, source_language, source_text FROM segments
            WHERE session_id = \(sessionId) ORDER BY segment_index
            """, logger: logger)
        for try await (index, start, end, language, text) in rows.decode((Int, Double, Double, String, String).self) {
            segments.append(
                TranscriptSegment(
                    sessionId: sessionId, index: index, startTime: start, endTime: end,
                    sourceLanguage: LanguageCode(language) ?? LanguageCode("en")!, sourceText: text))
        }
        let positions = Dictionary(uniqueKeysWithValues: segments.enumerated().map { ($1.index, $0) })
        let translations = try await client.query(
            "SELECT segment_index, language, text FROM translations WHERE session_id = \(sessionId)", logger: logger)
        for try await (index, code, text) in translations.decode((Int, String, String).self) {
            guard let position = positions[index], let language = LanguageCode(code) else { continue }
            segments[position].translations[language] = text
        }
        return segments
    }

    // MARK: Events

    public func glossary(sessionId: String) async throws -> String? {
        try await single(try await client.query("SELECT document FROM glossaries WHERE session_id = \(sessionId)", logger: logger), as: String.self)
    }

    public func setGlossary(sessionId: String, document: String?) async throws {
        guard let document else {
            try await client.query("DELETE FROM glossaries WHERE session_id = \(sessionId)", logger: logger)
            return
        }
        let seconds = Date().timeIntervalSince1970
        try await client.query(
            """
            INSERT INTO glossaries (session_id, document, updated_at) VALUES (\(sessionId), \(document), \(seconds))
            ON CONFLICT (session_id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at
            """, logger: logger)
    }

    public func appendEvent(document: String) async throws -> Int64 {
        let rows = try await client.query("INSERT INTO events (document) VALUES (\(document)) RETURNING sequence", logger: logger)
        guard let sequence = try await single(rows, as: Int64.self) else { throw Unavailable(description: "The event was not stored.") }
        return sequence
    }

    public func events(after sequence: Int64, limit: Int) async throws -> [StoredEvent] {
        var events: [StoredEvent] = []
        let rows = try await client.query(
            "SELECT sequence, document FROM events WHERE sequence > \(sequence) ORDER BY sequence LIMIT \(limit)", logger: logger)
        for try await (sequence, document) in rows.decode((Int64, String).self) {
            events.append(StoredEvent(sequence: sequence, document: document))
        }
        return events
    }

    public func ping() async throws {
        try await client.query("SELECT 1", logger: logger)
    }

    /// The first column of the first row, if any.
    private func single<Value: PostgresDecodable>(_ rows: PostgresRowSequence, as type: Value.Type) async throws -> Value? {
        for try await value in rows.decode(Value.self) { return value }
        return nil
    }
}
