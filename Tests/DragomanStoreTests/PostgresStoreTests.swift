import DragomanStore
import Foundation
import Logging
import Testing

/// What only the PostgreSQL store has: a URL, versioned migrations, errors that name the database.
@Suite("PostgresStore", .enabled(if: StoreBackend.postgresURL != nil, "DRAGOMAN_TEST_POSTGRES_URL is not set"))
struct PostgresStoreTests {
    @Test func reopeningKeepsEverything() async throws {
        try await StoreBackend.withFreshPostgres { url in
            try await StoreConformance.persistence { body in try await StoreBackend.withPostgres(url) { try await body($0) } }
        }
    }

    @Test func migrationsAreRecordedOnceAndOpeningAgainChangesNothing() async throws {
        try await StoreBackend.withFreshPostgres { url in
            try await StoreBackend.withPostgres(url) { _ in }
            try await StoreBackend.withPostgres(url) { second in
                let rows = try await second.client.query("SELECT version FROM schema_migrations ORDER BY version")
                var versions: [Int] = []
                for try await version in rows.decode(Int.self) { versions.append(version) }
                #expect(versions == [1, 2, 3, 4, 5, 6, 7, 8])
            }
        }
    }

    @Test func nodesStartingTogetherMigrateOnce() async throws {
        try await StoreBackend.withFreshPostgres { url in
            let opened = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await StoreBackend.withPostgres(url) { _ in }
                        return 1
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(opened == 4)
        }
    }

    @Test func anUnreachableDatabaseIsNamedWithoutItsPassword() async throws {
        do {
            _ = try await PostgresStore.open(url: "postgres://dragoman:s3cret-pass@127.0.0.1:1/dragoman", logger: Logger(label: "test"))
            Issue.record("opened a database that is not there")
        } catch {
            let message = "\(error)"
            #expect(message.contains("postgres://dragoman@127.0.0.1:1/dragoman"), "\(message)")
            #expect(!message.contains("s3cret-pass"))
        }
    }

    @Test(arguments: ["mysql://db/x", "postgres:///nohost", "postgres://h/db?sslmode=sometimes"])
    func aURLThatIsNotPostgresIsRefused(_ url: String) {
        #expect(throws: PostgresLocation.Invalid.self) { try PostgresLocation(url: url) }
    }

    @Test func aURLIsReadWhole() throws {
        let location = try PostgresLocation(url: "postgresql://ann:p%40ss@db.local:6543/events?sslmode=require")
        #expect(location.host == "db.local")
        #expect(location.port == 6543)
        #expect(location.username == "ann")
        #expect(location.password == "p@ss")
        #expect(location.database == "events")
        #expect(location.tlsMode == .require)
        #expect(location.description == "postgres://ann@db.local:6543/events")
    }
}
