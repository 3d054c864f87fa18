import Logging
import PostgresNIO

/// The versioned schema of the PostgreSQL store. Each migration runs once, in its own
/// transaction, and is recorded in `schema_migrations`; nodes that start together take turns
/// through an advisory lock, so none sees a half-made schema. Migrations are only ever appended.
enum PostgresMigrations {
    struct Migration {
        var version: Int
        var name: String
        var statements: [String]
    }

    /// The advisory lock key that serializes migrations ("DRAGMIGR").
    static let lockKey: Int64 = 0x4452_4147_4D49_4752

    static let all: [Migration] = [
        Migration(
            version: 1, name: "keys, sessions, events",
            statements: [
                """
                CREATE TABLE keys (
                    id text PRIMARY KEY,
                    name text NOT NULL,
                    role text NOT NULL,
                    secret_hash text NOT NULL UNIQUE,
                    created_at double precision NOT NULL,
                    revoked_at double precision
                )
                """,
                """
                CREATE TABLE sessions (
                    id text PRIMARY KEY,
                    title text NOT NULL,
                    source_language text NOT NULL,
                    target_languages text NOT NULL,
                    passcode_hash text,
                    owner_key_id text NOT NULL,
                    quality_tier text,
                    status text NOT NULL,
                    created_at double precision NOT NULL,
                    updated_at double precision NOT NULL,
                    ended_at double precision
                )
                """,
                "CREATE INDEX sessions_by_owner ON sessions (owner_key_id, created_at)",
                "CREATE INDEX sessions_by_status ON sessions (status)",
                "CREATE TABLE events (sequence bigserial PRIMARY KEY, document text NOT NULL)",
            ]),
        Migration(
            version: 2, name: "transcripts",
            statements: [
                """
                CREATE TABLE segments (
                    session_id text NOT NULL,
                    segment_index bigint NOT NULL,
                    start_time double precision NOT NULL,
                    end_time double precision NOT NULL,
                    source_language text NOT NULL,
                    source_text text NOT NULL,
                    PRIMARY KEY (session_id, segment_index)
                )
                """,
                """
                CREATE TABLE translations (
                    session_id text NOT NULL,
                    segment_index bigint NOT NULL,
                    language text NOT NULL,
                    text text NOT NULL,
                    PRIMARY KEY (session_id, segment_index, language)
                )
                """,
            ]),
        Migration(
            version: 3, name: "cluster: relayed frames, listeners per node",
            statements: [
                // What the node running a session's pipeline sends its listeners, for the listeners
                // on other nodes; NOTIFY carries only the id. Rows are pruned after a minute.
                """
                CREATE TABLE relayed_frames (
                    id bigserial PRIMARY KEY,
                    origin_node text NOT NULL,
                    session_id text NOT NULL,
                    kind smallint NOT NULL,
                    language text NOT NULL,
                    sequence bigint NOT NULL,
                    payload bytea NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                "CREATE INDEX relayed_frames_by_session ON relayed_frames (session_id, id)",
                "CREATE INDEX relayed_frames_by_age ON relayed_frames (created_at)",
                // Each node's listeners of each session by language; a row not refreshed by its node's
                // heartbeat expires, so a dead node's listeners stop being counted.
                """
                CREATE TABLE node_listeners (
                    node_id text NOT NULL,
                    session_id text NOT NULL,
                    language text NOT NULL,
                    listeners integer NOT NULL,
                    pcm_listeners integer NOT NULL,
                    opus_listeners integer NOT NULL,
                    seen_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (node_id, session_id, language)
                )
                """,
                "CREATE INDEX node_listeners_by_session ON node_listeners (session_id)",
            ]),
        Migration(
            version: 4, name: "interpreter passes",
            statements: [
                """
                CREATE TABLE interpreter_passes (
                    id text PRIMARY KEY,
                    session_id text NOT NULL,
                    language text NOT NULL,
                    name text NOT NULL,
                    secret_hash text NOT NULL UNIQUE,
                    created_at double precision NOT NULL,
                    revoked_at double precision
                )
                """,
                "CREATE INDEX interpreter_passes_by_session ON interpreter_passes (session_id, created_at)",
            ]),
        // The interpreter a node has on the air in a language lives and dies with its node's row, so
        // the other nodes stop counting it when that node dies, and a node that loads the session
        // later learns of it.
        Migration(
            version: 5, name: "interpreters on the air by node",
            statements: [
                "ALTER TABLE node_listeners ADD COLUMN interpreter_id text, ADD COLUMN interpreter_name text"
            ]),
        // What a receiving node needs to know of a relayed frame besides passing it on (whether a
        // caption is final, who went on the air) travels beside it, so the frame is never parsed.
        Migration(
            version: 6, name: "relayed frames: final captions, voices",
            statements: [
                """
                ALTER TABLE relayed_frames ADD COLUMN is_final boolean NOT NULL DEFAULT false,
                    ADD COLUMN interpreter_id text, ADD COLUMN interpreter_name text
                """
            ]),
        // Who speaks, shown to listeners beside the title; optional, so older rows have none.
        Migration(version: 7, name: "sessions: speaker name", statements: ["ALTER TABLE sessions ADD COLUMN speaker_name text"]),
        // Each session's glossary, shared by every node that translates it; deleted when the session ends.
        Migration(
            version: 8, name: "glossaries",
            statements: ["CREATE TABLE glossaries (session_id text PRIMARY KEY, document text NOT NULL, updated_at double precision NOT NULL)"]),
    ]

    /// Applies the migrations this database lacks.
    static func apply(on connection: PostgresConnection, logger: Logger) async throws {
        _ = try await connection.query("SELECT pg_advisory_lock(\(lockKey))", logger: logger)
        do {
            try await applyUnlocked(on: connection, logger: logger)
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
            throw error
        }
        _ = try await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
    }

    private static func applyUnlocked(on connection: PostgresConnection, logger: Logger) async throws {
        _ = try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
            """, logger: logger)
        var applied: Set<Int> = []
        for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger).decode(Int.self) {
            applied.insert(version)
        }
        for migration in all where !applied.contains(migration.version) {
            try await connection.withTransaction(logger: logger) { transaction in
                for statement in migration.statements {
                    _ = try await transaction.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                _ = try await transaction.query(
                    "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))", logger: logger)
            }
            logger.info("Applied a database migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
        }
    }
}
