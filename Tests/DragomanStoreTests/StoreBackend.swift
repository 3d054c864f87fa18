import DragomanStore
import Foundation
import Logging
import PostgresNIO
import Testing

/// A database the conformance suite runs on: SQLite always; PostgreSQL when
/// `DRAGOMAN_TEST_POSTGRES_URL` names one (`scripts/test.sh` starts one and sets it, and then an
/// unreachable database fails the tests rather than skipping them).
enum StoreBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    /// The PostgreSQL URL of the test database, if one is configured.
    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["DRAGOMAN_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The backends this run tests.
    static var available: [StoreBackend] {
        postgresURL == nil ? [.sqlite] : allCases
    }

    var testDescription: String { rawValue }

    /// Runs `body` with a new store of this backend: a fresh SQLite file, or a fresh database on the
    /// test server, so tests running at once do not see each other's keys and events.
    func withStore(_ body: (any DragomanStore) async throws -> Void) async throws {
        switch self {
        case .sqlite:
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            try await body(try SQLiteStore(path: directory.path("dragoman.sqlite")))
        case .postgres:
            try await Self.withFreshPostgres { url in
                try await Self.withPostgres(url) { try await body($0) }
            }
        }
    }

    /// Runs `body` with the URL of a new, empty database on the test server, dropped afterwards.
    static func withFreshPostgres(_ body: (String) async throws -> Void) async throws {
        guard let serverURL = postgresURL, var components = URLComponents(string: serverURL) else { throw NoPostgres() }
        let name = "dragoman_test_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        let admin = try await PostgresLocation(url: serverURL).connect(logger: logger)
        try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        components.path = "/" + name
        do {
            try await body(components.string ?? serverURL)
        } catch {
            _ = try? await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)"), logger: logger)
            try? await admin.close()
            throw error
        }
        _ = try? await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)"), logger: logger)
        try? await admin.close()
    }

    private static var logger: Logger {
        var logger = Logger(label: "store-test")
        logger.logLevel = .critical
        return logger
    }

    /// Opens the database at `url` for as long as `body` runs.
    static func withPostgres(_ url: String, _ body: (PostgresStore) async throws -> Void) async throws {
        try await PostgresStore.withOpened(url: url, logger: logger, body)
    }

    struct NoPostgres: Error {}
}
