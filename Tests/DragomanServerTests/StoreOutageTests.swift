import DragomanCore
import DragomanServer
import Foundation
import Testing

/// A database that stops answering (issue 14, item 12): credentials that cannot be checked are
/// 503 with `Retry-After`, never a 401 counted as a failed guess, and `/readyz` rides out a blip.
@Suite("Store outage")
struct StoreOutageTests {
    /// Runs `body` against a server whose store the test can take down.
    static func withOutage(
        configure: (inout ServerConfiguration) -> Void, clock: any MonotonicClock = .system, _ body: (TestServer, OutageStore) async throws -> Void
    ) async throws {
        var outage: OutageStore?
        try await TestServer.run(
            configure: configure, clock: clock,
            store: { base in
                let store = OutageStore(base)
                outage = store
                return store
            }
        ) { server in
            try await body(server, try #require(outage))
        }
    }

    @Test("a key or session that cannot be read is 503 with Retry-After on /ws and HTTP, and never counts as a failed guess")
    func unreadableCredentialsAre503() async throws {
        try await Self.withOutage(configure: { $0.failedConnectsPerMinute = 2 }) { server, store in
            let sessionId = try await server.createSession()
            store.isDown = true
            let speak = ["action": "createSession", "sourceLanguage": "en", "token": server.keys.speaker]
            let interpret = ["action": "interpretSession", "sessionId": sessionId, "token": "not-read-yet"]
            // More tries than the allowance of failed guesses: none of them is one.
            for _ in 0..<3 {
                for query in [speak, interpret] {
                    let refused = try await server.upgrade(query)
                    #expect(refused.code == 503, "\(refused)")
                    #expect(refused.headers["Retry-After"].first == "5")
                }
                for (path, key) in [("/v1/sessions", server.keys.speaker), ("/v1/sessions/\(sessionId)", nil), ("/v1/sessions/\(sessionId)/transcript", nil)] {
                    let response = try await server.http(.GET, path, key: key)
                    #expect(response.code == 503, "\(path): \(response)")
                    #expect(response.headers["Retry-After"].first == "5")
                }
            }
            store.isDown = false
            let speaker = server.connect(speak)
            try await speaker.expect("sessionCreated")
            #expect(try await server.http(.GET, "/v1/sessions/\(sessionId)").code == 200)
        }
    }

    @Test("/readyz stays ready (degraded) while the database has failed for less than databaseOutageGrace, then 503, then ready again")
    func readinessRidesOutABlip() async throws {
        let clock = ManualClock()
        try await Self.withOutage(configure: { $0.databaseOutageGrace = 30 }, clock: clock) { server, store in
            #expect(try await server.http(.GET, "/readyz").json?["status"]?.stringValue == "ready")
            store.isDown = true
            let blip = try await server.http(.GET, "/readyz")
            #expect(blip.code == 200)
            #expect(blip.json?["status"]?.stringValue == "degraded")
            #expect(blip.json?["reason"]?.stringValue == "database")
            clock.advance(by: 29)
            #expect(try await server.http(.GET, "/readyz").code == 200)
            clock.advance(by: 2)
            let down = try await server.http(.GET, "/readyz")
            #expect(down.code == 503)
            #expect(down.json?["reason"]?.stringValue == "database")
            store.isDown = false
            #expect(try await server.http(.GET, "/readyz").json?["status"]?.stringValue == "ready")
            // A new outage gets the whole grace again.
            store.isDown = true
            #expect(try await server.http(.GET, "/readyz").code == 200)
        }
    }
}
