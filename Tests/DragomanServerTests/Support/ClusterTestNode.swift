import DragomanStore
import Foundation
import Logging
import ServiceLifecycle
import Testing

@testable import DragomanServer

/// One Dragoman node of a cluster on the test PostgreSQL (`DRAGOMAN_TEST_POSTGRES_URL`): a whole
/// application on its own port and its own connection pool, in this process. `kill()` cancels it
/// without a graceful shutdown: its sockets and database connections close and it cleans up
/// nothing (queries of a cancelled task fail), as when a node's process dies.
final class ClusterTestNode: Sendable {
    /// The server, for `TestServer`'s clients.
    let server: TestServer
    private let services: Task<Void, any Error>
    private let pool: Task<Void, Never>

    /// The test database's URL, if this run has one.
    static var databaseURL: String? {
        ProcessInfo.processInfo.environment["DRAGOMAN_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    private init(server: TestServer, services: Task<Void, any Error>, pool: Task<Void, Never>) {
        self.server = server
        self.pool = pool
        self.services = services
    }

    /// Starts a node with the fake speech engines that hear a sentence in every utterance.
    /// - Parameter keys: the keys already in the database; new ones are created when `nil`.
    static func start(keys: TestServer.Keys?, configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> ClusterTestNode {
        let directory = try TestServer.makeDataDirectory()
        var settings = TestServer.testSettings(dataDirectory: directory)
        settings.database = try #require(databaseURL)
        configure(&settings)
        var logger = Logger(label: "dragoman-cluster-test")
        logger.logLevel = settings.logLevel
        let store = try await PostgresStore.open(url: settings.database, logger: logger)

        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = buildApplication(
            configuration: settings, dependencies: ServerDependencies(store: store, engines: FakeEngines.speaking, logger: logger)
        ) { port in
            portContinuation.yield(port)
        }
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        // The store's connection pool is stopped after the application (`kill`), as in
        // `dragoman serve`: the application gives back the connections it holds (the speaker
        // leases) only as it stops, and the pool waits for them.
        let pool = Task { await store.run() }
        let services = Task {
            defer { portContinuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw TestServer.DidNotStart() }
        let keys = if let keys { keys } else { try await TestServer.makeKeys(in: store) }
        let server = TestServer(port: port, settings: settings, store: store, keys: keys, dataDirectory: directory)
        return ClusterTestNode(server: server, services: services, pool: pool)
    }

    /// Stops the node at once, as a crash would.
    func kill() async {
        services.cancel()
        _ = await services.result
        pool.cancel()
        await pool.value
        try? FileManager.default.removeItem(at: server.dataDirectory)
    }
}
