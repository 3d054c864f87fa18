import DragomanCore
import Foundation
import GRDB

/// The embedded store: one SQLite file (GRDB, write-ahead log) in the data directory.
public final class SQLiteStore: DragomanStore {
    private let database: DatabasePool

    /// Opens (creating if needed) the database file and applies the migrations.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        database = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(database)
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("1-keys-sessions-events") { db in
            try db.execute(
                sql: """
                    CREATE TABLE keys (
                        id TEXT PRIMARY KEY,
                        name TEXT NOT NULL,
                        role TEXT NOT NULL,
                        secretHash TEXT NOT NULL UNIQUE,
                        createdAt REAL NOT NULL,
                        revokedAt REAL
                    );
                    CREATE TABLE sessions (
                        id TEXT PRIMARY KEY,
                        title TEXT NOT NULL,
                        sourceLanguage TEXT NOT NULL,
                        targetLanguages TEXT NOT NULL,
                        passcodeHash TEXT,
                        ownerKeyID TEXT NOT NULL,
                        qualityTier TEXT,
                        status TEXT NOT NULL,
                        createdAt REAL NOT NULL,
                        updatedAt REAL NOT NULL,
                        endedAt REAL
                    );
                    CREATE INDEX sessions_by_owner ON sessions(ownerKeyID, createdAt);
                    CREATE INDEX sessions_by_status ON sessions(status);
                    CREATE TABLE events (
                        sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                        document TEXT NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("2-transcripts") { db in
            try db.execute(
                sql: """
                    CREATE TABLE segments (
                        sessionId TEXT NOT NULL,
                        segmentIndex INTEGER NOT NULL,
                        startTime REAL NOT NULL,
                        endTime REAL NOT NULL,
                        sourceLanguage TEXT NOT NULL,
                        sourceText TEXT NOT NULL,
                        PRIMARY KEY (sessionId, segmentIndex)
                    );
                    CREATE TABLE translations (
                        sessionId TEXT NOT NULL,
                        segmentIndex INTEGER NOT NULL,
                        language TEXT NOT NULL,
                        text TEXT NOT NULL,
                        PRIMARY KEY (sessionId, segmentIndex, language)
                    );
                    """)
        }
        migrator.registerMigration("3-interpreter-passes") { db in
            try db.execute(
                sql: """
                    CREATE TABLE interpreterPasses (
                        id TEXT PRIMARY KEY,
                        sessionId TEXT NOT NULL,
                        language TEXT NOT NULL,
                        name TEXT NOT NULL,
                        secretHash TEXT NOT NULL UNIQUE,
                        createdAt REAL NOT NULL,
                        revokedAt REAL
                    );
                    CREATE INDEX interpreterPasses_by_session ON interpreterPasses(sessionId, createdAt);
                    """)
        }
        migrator.registerMigration("4-speaker-name") { db in
            try db.execute(sql: "ALTER TABLE sessions ADD COLUMN speakerName TEXT")
        }
        migrator.registerMigration("5-glossaries") { db in
            try db.execute(sql: "CREATE TABLE glossaries (sessionId TEXT PRIMARY KEY, document TEXT NOT NULL, updatedAt DOUBLE NOT NULL)")
        }
        return migrator
    }

    // MARK: Credentials

    public func createKey(name: String, role: KeyRole) async throws -> CreatedKey {
        let secret = Secrets.newKey()
        let record = KeyRecord(id: Secrets.newIdentifier(prefix: "key"), name: name, role: role, createdAt: Date())
        try await database.write { db in
            try db.execute(
                sql: "INSERT INTO keys (id, name, role, secretHash, createdAt) VALUES (?, ?, ?, ?, ?)",
                arguments: [record.id, record.name, record.role.rawValue, Secrets.keyHash(secret), record.createdAt.timeIntervalSince1970])
        }
        return CreatedKey(record: record, secret: secret)
    }

    public func keys() async throws -> [KeyRecord] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM keys ORDER BY createdAt").map(Self.key)
        }
    }

    public func revokeKey(idOrName: String) async throws -> Bool {
        try await database.write { db in
            try db.execute(
                sql: "UPDATE keys SET revokedAt = ? WHERE (id = ? OR name = ?) AND revokedAt IS NULL",
                arguments: [Date().timeIntervalSince1970, idOrName, idOrName])
            return db.changesCount > 0
        }
    }

    public func authenticate(secret: String) async throws -> KeyRecord? {
        try await database.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM keys WHERE secretHash = ? AND revokedAt IS NULL", arguments: [Secrets.keyHash(secret)]
            ).map(Self.key)
        }
    }

    public func activeKeyCount() async throws -> Int {
        try await database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM keys WHERE revokedAt IS NULL") ?? 0
        }
    }

    // MARK: Interpreters

    public func createInterpreterPass(sessionId: String, language: LanguageCode, name: String) async throws -> CreatedInterpreterPass {
        let created = CreatedInterpreterPass.make(sessionId: sessionId, language: language, name: name)
        let pass = created.pass
        try await database.write { db in
            try db.execute(
                sql: "INSERT INTO interpreterPasses (id, sessionId, language, name, secretHash, createdAt) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [pass.id, pass.sessionId, pass.language.rawValue, pass.name, Secrets.keyHash(created.secret), pass.createdAt.timeIntervalSince1970])
        }
        return created
    }

    public func interpreterPasses(sessionId: String) async throws -> [InterpreterPass] {
        try await database.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM interpreterPasses WHERE sessionId = ? AND revokedAt IS NULL ORDER BY createdAt, id", arguments: [sessionId]
            ).map(Self.interpreterPass)
        }
    }

    public func interpreterPass(secret: String) async throws -> InterpreterPass? {
        try await database.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM interpreterPasses WHERE secretHash = ? AND revokedAt IS NULL", arguments: [Secrets.keyHash(secret)]
            ).map(Self.interpreterPass)
        }
    }

    public func revokeInterpreterPass(id: String, sessionId: String) async throws -> Bool {
        try await database.write { db in
            try db.execute(
                sql: "UPDATE interpreterPasses SET revokedAt = ? WHERE id = ? AND sessionId = ? AND revokedAt IS NULL",
                arguments: [Date().timeIntervalSince1970, id, sessionId])
            return db.changesCount > 0
        }
    }

    // MARK: Sessions

    public func insertSession(_ session: SessionRecord) async throws {
        do {
            try await database.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO sessions (id, title, speakerName, sourceLanguage, targetLanguages, passcodeHash, ownerKeyID,
                                              qualityTier, status, createdAt, updatedAt, endedAt)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        session.id, session.title, session.speakerName, session.sourceLanguage.rawValue,
                        session.targetLanguages.map(\.rawValue).joined(separator: ","), session.passcodeHash,
                        session.ownerKeyID, session.qualityTier, session.status.rawValue,
                        session.createdAt.timeIntervalSince1970, session.updatedAt.timeIntervalSince1970,
                        session.endedAt?.timeIntervalSince1970,
                    ])
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            throw StoreError.duplicateSessionID(session.id)
        }
    }

    public func session(id: String) async throws -> SessionRecord? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM sessions WHERE id = ?", arguments: [id]).map(Self.session)
        }
    }

    public func updateSessionStatus(id: String, status: SessionStatus, at time: Date) async throws {
        try await database.write { db in
            try db.execute(
                sql: """
                    UPDATE sessions SET status = ?, updatedAt = ?,
                        endedAt = CASE WHEN ? = 'ended' THEN ? ELSE endedAt END
                    WHERE id = ?
                    """,
                arguments: [status.rawValue, time.timeIntervalSince1970, status.rawValue, time.timeIntervalSince1970, id])
            if status == .ended { try db.execute(sql: "DELETE FROM glossaries WHERE sessionId = ?", arguments: [id]) }
        }
    }

    public func sessions(ownedBy keyID: String, includeEnded: Bool) async throws -> [SessionRecord] {
        try await database.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM sessions WHERE ownerKeyID = ? AND (? OR status != 'ended') ORDER BY createdAt DESC",
                arguments: [keyID, includeEnded]
            ).map(Self.session)
        }
    }

    public func openSessions() async throws -> [SessionRecord] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM sessions WHERE status != 'ended' ORDER BY createdAt").map(Self.session)
        }
    }

    // MARK: Transcripts

    public func insertSegment(_ segment: TranscriptSegment) async throws {
        try await database.write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO segments (sessionId, segmentIndex, startTime, endTime, sourceLanguage, sourceText)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [segment.sessionId, segment.index, segment.startTime, segment.endTime, segment.sourceLanguage.rawValue, segment.sourceText])
            for (language, text) in segment.translations {
                try Self.insertTranslation(db, sessionId: segment.sessionId, segmentIndex: segment.index, language: language, text: text)
            }
        }
    }

    public func insertTranslation(sessionId: String, segmentIndex: Int, language: LanguageCode, text: String) async throws {
        try await database.write { db in
            try Self.insertTranslation(db, sessionId: sessionId, segmentIndex: segmentIndex, language: language, text: text)
        }
    }

    private static func insertTranslation(_ db: Database, sessionId: String, segmentIndex: Int, language: LanguageCode, text: String) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO translations (sessionId, segmentIndex, language, text) VALUES (?, ?, ?, ?)",
            arguments: [sessionId, segmentIndex, language.rawValue, text])
    }

    public func transcript(sessionId: String) async throws -> [TranscriptSegment] {
        try await database.read { db in
            var segments = try Row.fetchAll(
                db, sql: "SELECT * FROM segments WHERE sessionId = ? ORDER BY segmentIndex", arguments: [sessionId]
            ).map { row in
                TranscriptSegment(
                    sessionId: sessionId, index: row["segmentIndex"], startTime: row["startTime"], endTime: row["endTime"],
                    sourceLanguage: LanguageCode(row["sourceLanguage"]) ?? LanguageCode("en")!, sourceText: row["sourceText"])
            }
            let positions = Dictionary(uniqueKeysWithValues: segments.enumerated().map { ($1.index, $0) })
            for row in try Row.fetchAll(db, sql: "SELECT * FROM translations WHERE sessionId = ?", arguments: [sessionId]) {
                guard let position = positions[row["segmentIndex"]], let language = LanguageCode(row["language"]) else { continue }
                segments[position].translations[language] = row["text"]
            }
            return segments
        }
    }

    // MARK: Glossaries

    public func glossary(sessionId: String) async throws -> String? {
        try await database.read { db in
            try String.fetchOne(db, sql: "SELECT document FROM glossaries WHERE sessionId = ?", arguments: [sessionId])
        }
    }

    public func setGlossary(sessionId: String, document: String?) async throws {
        try await database.write { db in
            if let document {
                try db.execute(
                    sql: """
                        INSERT INTO glossaries (sessionId, document, updatedAt) VALUES (?, ?, ?)
                        ON CONFLICT (sessionId) DO UPDATE SET document = excluded.document, updatedAt = excluded.updatedAt
                        """,
                    arguments: [sessionId, document, Date().timeIntervalSince1970])
            } else {
                try db.execute(sql: "DELETE FROM glossaries WHERE sessionId = ?", arguments: [sessionId])
            }
        }
    }

    // MARK: Events

    public func appendEvent(document: String) async throws -> Int64 {
        try await database.write { db in
            try db.execute(sql: "INSERT INTO events (document) VALUES (?)", arguments: [document])
            return db.lastInsertedRowID
        }
    }

    public func events(after sequence: Int64, limit: Int) async throws -> [StoredEvent] {
        try await database.read { db in
            try Row.fetchAll(
                db, sql: "SELECT sequence, document FROM events WHERE sequence > ? ORDER BY sequence LIMIT ?",
                arguments: [sequence, limit]
            ).map { StoredEvent(sequence: $0["sequence"], document: $0["document"]) }
        }
    }

    public func ping() async throws {
        _ = try await database.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    // MARK: Rows

    private static func key(_ row: Row) -> KeyRecord {
        KeyRecord(
            id: row["id"], name: row["name"], role: KeyRole(rawValue: row["role"]) ?? .speaker,
            createdAt: Date(timeIntervalSince1970: row["createdAt"]),
            revokedAt: (row["revokedAt"] as Double?).map(Date.init(timeIntervalSince1970:)))
    }

    private static func interpreterPass(_ row: Row) -> InterpreterPass {
        InterpreterPass(
            id: row["id"], sessionId: row["sessionId"], language: LanguageCode(row["language"]) ?? LanguageCode("en")!, name: row["name"],
            createdAt: Date(timeIntervalSince1970: row["createdAt"]))
    }

    private static func session(_ row: Row) -> SessionRecord {
        let targets: String = row["targetLanguages"]
        var record = SessionRecord(
            id: row["id"], title: row["title"], sourceLanguage: LanguageCode(row["sourceLanguage"]) ?? LanguageCode("en")!,
            targetLanguages: targets.split(separator: ",").compactMap { LanguageCode(String($0)) },
            passcodeHash: row["passcodeHash"], ownerKeyID: row["ownerKeyID"], qualityTier: row["qualityTier"],
            status: SessionStatus(rawValue: row["status"]) ?? .ended,
            createdAt: Date(timeIntervalSince1970: row["createdAt"]), speakerName: row["speakerName"])
        record.updatedAt = Date(timeIntervalSince1970: row["updatedAt"])
        record.endedAt = (row["endedAt"] as Double?).map(Date.init(timeIntervalSince1970:))
        return record
    }
}
