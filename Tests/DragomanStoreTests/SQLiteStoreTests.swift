import DragomanCore
import DragomanStore
import Foundation
import Testing

/// A fresh folder under the system's temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("dragoman-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The path of a file in the folder.
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

@Suite("SQLiteStore")
struct SQLiteStoreTests {
    /// Runs `body` with a new store in a temporary folder.
    private func withStore(_ body: (SQLiteStore, TemporaryDirectory) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await body(try SQLiteStore(path: directory.path("dragoman.sqlite")), directory)
    }

    @Test func reopeningTheFileKeepsEverything() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await StoreConformance.persistence { body in try await body(try SQLiteStore(path: directory.path("dragoman.sqlite"))) }
    }

    @Test func eventSequencesStartAtOne() async throws {
        try await withStore { (store, _) async throws in
            #expect(try await store.appendEvent(document: "{}") == 1)
            #expect(try await store.appendEvent(document: "{}") == 2)
        }
    }

    @Test func secretsAreStoredOnlyAsHashes() async throws {
        try await withStore { (store, directory) async throws in
            let created = try await store.createKey(name: "alice", role: .speaker)
            #expect(created.secret.hasPrefix("dgk_"))
            // The database may hold the new row in its write-ahead log: read every file of it.
            let bytes = try FileManager.default.contentsOfDirectory(atPath: directory.url.path)
                .filter { $0.hasPrefix("dragoman.sqlite") }
                .map { try Data(contentsOf: directory.url.appendingPathComponent($0)) }
                .reduce(Data(), +)
            #expect(bytes.range(of: Data(created.secret.utf8)) == nil)
            #expect(bytes.range(of: Data(created.secret.dropFirst(4).prefix(16).utf8)) == nil)
            // The check can see what is written: the hash and the name are there.
            #expect(bytes.range(of: Data(Secrets.keyHash(created.secret).utf8)) != nil)
            #expect(bytes.range(of: Data("alice".utf8)) != nil)
        }
    }

    @Test func twoStoresOnOneFileSeeEachOther() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = try SQLiteStore(path: directory.path("dragoman.sqlite"))
        let second = try SQLiteStore(path: directory.path("dragoman.sqlite"))
        let key = try await first.createKey(name: "shared", role: .speaker)
        #expect(try await second.authenticate(secret: key.secret)?.id == key.record.id)
    }

    @Test func anUnwritablePathFails() {
        #expect(throws: (any Error).self) {
            _ = try SQLiteStore(path: "/proc/dragoman-cannot-write-here/dragoman.sqlite")
        }
    }
}
