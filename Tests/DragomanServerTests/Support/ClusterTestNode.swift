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
    private let store: PostgresStore
    private let services: Task<Void, any Error>

    /// The test database's URL, if this run has one.
    static var databaseURL: String? {
        ProcessInfo.processInfo.environment["DRAGOMAN_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    private init(server: TestServer, store: PostgresStore, services: Task<Void, any Error>) {
        self.server = server
        self.store = store
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
        let store = try #require(try await StoreFactory.open(settings, logger: logger) as? PostgresStore)
        let keys = if let keys { keys } else { try await TestServer.makeKeys(in: store) }

        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = buildApplication(
            configuration: settings, dependencies: ServerDependencies(store: store, engines: FakeEngines.speaking, logger: logger)
        ) { port in
            portContinuation.yield(port)
        }
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let services = Task {
            defer { portContinuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw TestServer.DidNotStart() }
        let server = TestServer(port: port, settings: settings, store: store, keys: keys, dataDirectory: directory)
        return ClusterTestNode(server: server, store: store, services: services)
    }

    /// Stops the node at once, as a crash would.
    func kill() async {
        services.cancel()
        _ = await services.result
        await store.close()
        try? FileManager.default.removeItem(at: server.dataDirectory)
    }
}
