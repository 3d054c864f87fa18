import DragomanCore
import Foundation
import Testing

/// Per-address limits and the Origin check, on the upgrade of `/ws`.
@Suite("Abuse limits on connects")
struct AbuseLimitTests {
    @Test("a browser page of another origin is refused (403) unless listed; the server's own pages and non-browsers are not")
    func originAllowList() async throws {
        try await TestServer.run(configure: { $0.allowedOrigins = "https://allowed.example, https://other.example:8443" }) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let join = ["action": "joinSession", "sessionId": sessionId, "targetLanguage": "es"]
            defer { withExtendedLifetime(speaker) {} }

            let foreign = try await server.upgrade(join, headers: [("Origin", "https://evil.example")])
            #expect(foreign.code == 403)
            #expect(foreign.body.contains("origin"))
            #expect(try await server.upgrade(join, headers: [("Origin", "null")]).code == 403)

            for origin in ["https://allowed.example", "https://other.example:8443", "http://127.0.0.1:\(server.port)"] {
                let listener = server.connect(join, headers: [("Origin", origin)])
                try await listener.expect("sessionJoined")
                await listener.disconnect()
            }
            let noOrigin = server.connect(join)
            try await noOrigin.expect("sessionJoined")
            // hummingbird-websocket's client sends its own URL as the origin.
            let client = server.connect(join, headers: [("Origin", "ws://127.0.0.1")])
            try await client.expect("sessionJoined")
        }
    }

    @Test("an address holds at most maxConnectionsPerAddress open connections (429 beyond); a closed one frees its place")
    func connectionsPerAddress() async throws {
        try await TestServer.run(configure: { $0.maxConnectionsPerAddress = 3 }) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let join = ["action": "joinSession", "sessionId": sessionId, "targetLanguage": "es"]
            let first = try await server.listener(sessionId).client
            let second = try await server.listener(sessionId).client

            let refused = server.connect(join)
            #expect(try await refused.refusalStatus() == 429)

            await first.disconnect()
            // The server notices the close a moment later.
            var admitted = false
            for _ in 0..<50 where !admitted {
                let retry = server.connect(join)
                admitted = (try? await retry.expect("sessionJoined")) != nil
                if !admitted { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(admitted)
            withExtendedLifetime((speaker, second)) {}
        }
    }

    @Test("an address makes at most connectAttemptsPerMinute connects a minute (429 beyond)")
    func connectAttemptsPerAddress() async throws {
        let clock = ManualClock()
        try await TestServer.run(configure: { $0.connectAttemptsPerMinute = 4 }, clock: clock) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            defer { withExtendedLifetime(speaker) {} }
            for _ in 0..<3 {
                let listener = try await server.listener(sessionId).client
                await listener.disconnect()
            }
            let refused = try await server.upgrade(["action": "joinSession", "sessionId": sessionId, "targetLanguage": "es"])
            #expect(refused.code == 429)
            #expect(refused.body.contains("Too many connects"))
            // A quarter of a minute later the address may connect once more, and only once.
            clock.advance(by: 15)
            let listener = try await server.listener(sessionId).client
            await listener.disconnect()
            #expect(try await server.upgrade(["action": "joinSession", "sessionId": sessionId, "targetLanguage": "es"]).code == 429)
        }
    }

    @Test("an upgrade request that is not a WebSocket handshake (no Sec-WebSocket-Key) is answered 400, not dropped")
    func incompleteHandshake() async throws {
        try await TestServer.run { server in
            let (speaker, sessionId, _) = try await server.speaker()
            defer { withExtendedLifetime(speaker) {} }
            let path = server.webSocketPath(["action": "joinSession", "sessionId": sessionId, "targetLanguage": "es"])
            let response = try await HTTPTestClient.request(
                port: server.port, method: .GET, path: path, headers: [("Upgrade", "websocket"), ("Connection", "Upgrade")])
            #expect(response.code == 400)
            #expect(response.body.contains("Sec-WebSocket-Key"))
        }
    }
}
