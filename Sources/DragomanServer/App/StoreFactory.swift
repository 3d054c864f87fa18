import DragomanStore
import Foundation
import Logging

/// Chooses and opens the store the configuration names: the one place a backend is picked.
public enum StoreFactory {
    /// PostgreSQL when `database` is set, else the SQLite file in the data directory.
    public static func open(_ settings: ServerConfiguration, logger: Logger = Logger(label: "dragoman-store")) async throws -> any DragomanStore {
        if !settings.database.isEmpty {
            return try await PostgresStore.open(url: settings.database, logger: logger)
        }
        try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
        return try SQLiteStore(path: settings.databasePath)
    }
}
