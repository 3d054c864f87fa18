import DragomanStore
import Foundation

/// Chooses and opens the store the configuration names: the one place a backend is picked.
public enum StoreFactory {
    public static func open(_ settings: ServerConfiguration) throws -> any DragomanStore {
        try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
        return try SQLiteStore(path: settings.databasePath)
    }
}
