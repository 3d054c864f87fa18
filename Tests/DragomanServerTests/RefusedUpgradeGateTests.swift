import DragomanCore
import DragomanStore
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import ServiceLifecycle
import Testing

@testable import DragomanServer

/// `RefusedUpgradeGate`: with it in front of the upgrader, a refused WebSocket upgrade gets the
/// HTTP status of its reason instead of hummingbird-websocket's bare 400. These tests build the
/// application as `buildApplication` does, with the gated server, so they pass before it is
/// wired into `buildApplication` (after which `UpgradeRefusalTests` cover the same ground).
@Suite("Refused upgrade gate")
struct RefusedUpgradeGateTests {
    /// Runs `body` against the application built with the gated server.
    static func withGatedServer(configure: (inout ServerConfiguration) -> Void = { _ in }, _ body: (TestServer) async throws -> Void) async throws {
        let directory = try TestServer.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var settings = TestServer.testSettings(dataDirectory: directory)
        configure(&settings)
        let store = try SQLiteStore(path: settings.databasePath)
        let keys = try await TestServer.makeKeys(in: store)
        var logger = Logger(label: "gate-test")
        logger.logLevel = .critical
        let engines = FakeEngines.engines
        let writer = StoreWriter(store: store, logger: logger)
        let events = EventBus(store: store, logger: logger, writer: writer)
        let registry = SessionRegistry(settings: settings, store: store, writer: writer, events: events, engines: engines, logger: logger)
        let gateway = WebSocketGateway(
            registry: registry, catalog: engines.catalog, authenticator: Authenticator(store: store), settings: settings, logger: logger)
        let router = buildRouter(settings: settings, store: store, catalog: engines.catalog, registry: registry, events: events, gateway: gateway)
        let webSocketRouter = Router(context: DragomanRequestContext.self)
        gateway.addUpgradeRoute(to: webSocketRouter)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            server: .http1WebSocketUpgrade(
                webSocketRouter: webSocketRouter, configuration: .init(ws: .init(maxFrameSize: settings.maxMessageBytes * 2)),
                admitting: gateway.admitsUpgrade),
            configuration: .init(address: .hostname(settings.host, port: 0)),
            services: [registry],
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
            logger: logger)
        let services = ServiceGroup(configuration: .init(services: [app], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let server = TestServer(port: port, settings: settings, store: store, keys: keys, dataDirectory: directory)
            do {
                try await body(server)
            } catch {
                await services.triggerGracefulShutdown()
                throw error
            }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
        }
    }

    @Test func refusalsGetTheirStatus() async throws {
        try await Self.withGatedServer { server in
            let sessionId = try await server.createSession()
            let ended = try await server.createSession()
            _ = try await server.http(.DELETE, "/v1/sessions/\(ended)", key: server.keys.speaker)
            let cases: [([String: String], Int)] = [
                (["action": "createSession", "sourceLanguage": "en", "token": "dgk_wrong"], 401),
                (["action": "createSession", "sourceLanguage": "en", "token": server.keys.otherSpeaker, "sessionId": sessionId], 403),
                (["action": "joinSession", "sessionId": "no-such-100", "targetLanguage": "es"], 404),
                (["action": "joinSession", "sessionId": ended, "targetLanguage": "es"], 410),
            ]
            for (query, status) in cases {
                #expect(try await server.connect(query).refusalStatus() == status, "\(query)")
            }
            // The body says why, as the HTTP routes do.
            let response = try await server.upgrade(["action": "joinSession", "sessionId": "no-such-100", "targetLanguage": "es"])
            #expect(response.code == 404)
            #expect(response.json?["error"]?["message"]?.stringValue?.isEmpty == false)
        }
    }

    @Test func admittedUpgradesAndPostUpgradeRefusalsAreUnchanged() async throws {
        try await Self.withGatedServer { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (listener, _) = try await server.listener(sessionId)
            listener.send(action: "heartbeat")
            try await listener.expect("heartbeatAck")
            let unsupported = server.connect(["action": "joinSession", "sessionId": sessionId, "targetLanguage": "de"])
            try await unsupported.expectError("UNSUPPORTED_LANGUAGE")
            #expect(try await unsupported.closeCode() == .policyViolation)
            await listener.disconnect()
            await speaker.disconnect()
        }
    }

    @Test func failedGuessesLeadTo429() async throws {
        try await Self.withGatedServer(configure: { $0.failedConnectsPerMinute = 2 }) { server in
            // Made first: the HTTP API shares the allowance of failed guesses.
            let sessionId = try await server.createSession()
            for _ in 0..<2 {
                #expect(try await server.connect(["action": "joinSession", "sessionId": "no-such-100", "targetLanguage": "es"]).refusalStatus() == 404)
            }
            #expect(try await server.connect(["action": "joinSession", "sessionId": sessionId, "targetLanguage": "es"]).refusalStatus() == 429)
        }
    }

    @Test func anUpgradeToAnotherPathIsAPlainRequest() async throws {
        try await Self.withGatedServer { server in
            let health = try await HTTPTestClient.request(
                port: server.port, method: .GET, path: "/healthz",
                headers: [
                    ("Connection", "Upgrade"), ("Upgrade", "websocket"), ("Sec-WebSocket-Version", "13"), ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
                ])
            #expect(health.code == 200)
            // And keep-alive requests after a plain first one are plain HTTP.
            #expect(try await server.http(.GET, "/v1/languages").code == 200)
        }
    }
}
