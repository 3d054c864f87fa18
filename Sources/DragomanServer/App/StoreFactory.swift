import DragomanStore
import Foundation
import Logging

/// Chooses and opens the store the configuration names: the one place a backend is picked.
public enum StoreFactory {
    /// Opens PostgreSQL when `database` is set, else the SQLite file in the data directory, and
    /// runs what the store needs beside it (PostgreSQL's connection pool) while `body` uses it.
    public static func withStore<Value>(
        _ settings: ServerConfiguration, logger: Logger = Logger(label: "dragoman-store"), _ body: (any DragomanStore) async throws -> Value
    ) async throws -> Value {
        if !settings.database.isEmpty {
            return try await PostgresStore.withOpened(url: settings.database, logger: logger) { try await body($0) }
        }
        try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
        return try await body(try SQLiteStore(path: settings.databasePath))
    }
}
