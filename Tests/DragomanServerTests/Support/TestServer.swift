import DragomanCore
import DragomanStore
import Foundation
import Hummingbird
import Logging
import NIOHTTP1
import ServiceLifecycle
import Testing

@testable import DragomanServer

/// A real Dragoman server for one test: port 0 on 127.0.0.1, its own data folder, fake speech
/// engines, and three keys (two speakers and an operator). Built with `buildApplication`, run in a
/// `ServiceGroup`, shut down gracefully when the test's body returns.
struct TestServer: Sendable {
    /// The keys a test server is given.
    struct Keys: Sendable {
        /// A speaker key (`alice`).
        var speaker: String
        /// Another speaker's key (`bob`), for isolation tests.
        var otherSpeaker: String
        /// An operator key (`ops`).
        var `operator`: String
    }

    /// The server did not stop in time.
    struct ShutdownTimedOut: Error {}

    /// The server stopped before it listened.
    struct DidNotStart: Error {}

    let port: Int
    let settings: ServerConfiguration
    let store: any DragomanStore
    let keys: Keys
    let dataDirectory: URL

    /// Settings that keep tests fast: short intervals, a long grace period, the protocol's limits.
    static func testSettings(dataDirectory: URL) -> ServerConfiguration {
        var settings = ServerConfiguration()
        settings.host = "127.0.0.1"
        settings.port = 0
        settings.dataDirectory = dataDirectory.path
        settings.statusInterval = 3_600
        settings.speakerGracePeriod = 30
        settings.logLevel = .critical
        // Every test connects from 127.0.0.1; the suites of these limits set them.
        settings.maxConnectionsPerAddress = 0
        settings.connectAttemptsPerMinute = 0
        return settings
    }

    /// Creates the three test keys.
    static func makeKeys(in store: any DragomanStore) async throws -> Keys {
        Keys(
            speaker: try await store.createKey(name: "alice", role: .speaker).secret,
            otherSpeaker: try await store.createKey(name: "bob", role: .speaker).secret,
            operator: try await store.createKey(name: "ops", role: .operator).secret)
    }

    /// A fresh data folder.
    static func makeDataDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dragoman-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs `body` against a new server and stops the server afterwards.
    /// - Parameters:
    ///   - dataDirectory: reuse a data folder (restart tests); a new one, removed afterwards, when `nil`.
    ///   - keys: the keys already in that folder; new ones are created when `nil`.
    ///   - engines: the speech engines; fakes unless a test is about speech.
    ///   - configure: changes to `testSettings`.
    ///   - clock: what the rate limits read the time from; a `ManualClock` for tests of a refill.
    ///   - store: what the server gets instead of the store it opened (an `OutageStore` around it).
    static func run<Value>(
        dataDirectory: URL? = nil, keys existingKeys: Keys? = nil, engines: SpeechEngines = FakeEngines.engines,
        configure: (inout ServerConfiguration) -> Void = { _ in }, clock: any MonotonicClock = .system,
        store wrap: (any DragomanStore) -> any DragomanStore = { $0 },
        _ body: (TestServer) async throws -> Value
    ) async throws -> Value {
        let directory = try dataDirectory ?? makeDataDirectory()
        defer { if dataDirectory == nil { try? FileManager.default.removeItem(at: directory) } }
        var settings = testSettings(dataDirectory: directory)
        configure(&settings)

        return try await StoreFactory.withStore(settings) { opened in
            let store = wrap(opened)
            let keys: Keys
            if let existingKeys { keys = existingKeys } else { keys = try await makeKeys(in: store) }

            var logger = Logger(label: "dragoman-test")
            logger.logLevel = settings.logLevel
            let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
            let app = buildApplication(
                configuration: settings, dependencies: ServerDependencies(store: store, engines: engines, logger: logger, clock: clock)
            ) { port in
                portContinuation.yield(port)
            }
            let services = ServiceGroup(configuration: .init(services: [app], logger: logger))

            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    defer { portContinuation.finish() }
                    try await services.run()
                }
                var portIterator = ports.makeAsyncIterator()
                guard let port = await portIterator.next() else {
                    try await group.waitForAll()
                    throw DidNotStart()
                }
                let server = TestServer(port: port, settings: settings, store: store, keys: keys, dataDirectory: directory)
                let outcome: Result<Value, any Error>
                do {
                    outcome = .success(try await body(server))
                } catch {
                    outcome = .failure(error)
                }
                await services.triggerGracefulShutdown()
                // A graceful shutdown closes WebSockets and event streams at once; one whose client
                // went away without answering the close can hold on until the close times out, so
                // after a while the test moves on (GracefulShutdownTests checks shutdown itself).
                group.addTask {
                    try await Task.sleep(for: .seconds(10))
                    throw ShutdownTimedOut()
                }
                do {
                    _ = try await group.next()
                } catch is ShutdownTimedOut {
                    logger.warning("The test server did not stop within 10 s of a graceful shutdown; cancelled")
                } catch {}
                group.cancelAll()
                return try outcome.get()
            }
        }
    }
}

// MARK: WebSocket

extension TestServer {
    /// The path of `/ws` with these query parameters.
    func webSocketPath(_ query: [String: String]) -> String {
        var components = URLComponents()
        components.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        // `+` would read as a space in a query.
        let encoded = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return "/ws" + (encoded.map { "?" + $0 } ?? "")
    }

    /// Opens a WebSocket to `/ws` with these query parameters (and headers).
    func connect(_ query: [String: String], headers: [(String, String)] = []) -> WebSocketTestClient {
        WebSocketTestClient(port: port, path: webSocketPath(query), headers: headers)
    }

    /// A speaker that created a new session and got `sessionCreated`.
    func speaker(key: String? = nil, extra: [String: String] = [:]) async throws -> (client: WebSocketTestClient, sessionId: String, created: Message) {
        // `sampleRate`, as Dragoman's own clients name it: a bare connect with the token in the URL
        // is the replaced design's example speaker, whose normal close ends the session.
        var query = ["action": "createSession", "sourceLanguage": "en", "token": key ?? keys.speaker, "sampleRate": "16000"]
        query.merge(extra) { _, new in new }
        let client = connect(query)
        let created = try await client.expect("sessionCreated")
        return (client, try #require(created.sessionId), created)
    }

    /// A listener that joined `sessionId` in `language` and got `sessionJoined`.
    func listener(_ sessionId: String, language: String = "es") async throws -> (client: WebSocketTestClient, joined: Message) {
        // `audioFormat`, as Dragoman's own clients name it: a bare connect is the replaced design's
        // example listener, which also gets `sessionPaused` and `sessionResumed`.
        let client = connect(["action": "joinSession", "sessionId": sessionId, "targetLanguage": language, "audioFormat": "pcm"])
        return (client, try await client.expect("sessionJoined"))
    }
}

// MARK: HTTP

extension TestServer {
    /// Sends an HTTP request, with `key` as the bearer credential.
    func http(
        _ method: HTTPMethod, _ path: String, key: String? = nil, headers: [(String, String)] = [], json: JSONValue? = nil
    ) async throws -> HTTPResult {
        var headers = headers
        if let key { headers.append(("Authorization", "Bearer \(key)")) }
        var body: String?
        if let json {
            body = String(decoding: try JSONEncoder().encode(json), as: UTF8.self)
            headers.append(("Content-Type", "application/json"))
        }
        return try await HTTPTestClient.request(port: port, method: method, path: path, headers: headers, body: body)
    }

    /// The status of a WebSocket upgrade request to `/ws` with these query parameters.
    func upgrade(_ query: [String: String], headers: [(String, String)] = []) async throws -> HTTPResult {
        try await HTTPTestClient.request(
            port: port, method: .GET, path: webSocketPath(query),
            headers: [
                ("Connection", "Upgrade"), ("Upgrade", "websocket"), ("Sec-WebSocket-Version", "13"),
                ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
            ] + headers)
    }

    /// Creates a session over HTTP and returns its id.
    func createSession(key: String? = nil, _ body: JSONValue = ["sourceLanguage": "en", "title": "Test talk"]) async throws -> String {
        let response = try await http(.POST, "/v1/sessions", key: key ?? keys.speaker, json: body)
        guard response.code == 201, let id = response.json?["sessionId"]?.stringValue else {
            throw HTTPTestClient.Malformed()
        }
        return id
    }

    /// The stored status of a session, as `GET /v1/sessions/{id}` shows it.
    func status(of sessionId: String) async throws -> String? {
        try await http(.GET, "/v1/sessions/\(sessionId)").json?["status"]?.stringValue
    }
}
