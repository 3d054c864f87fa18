import DragomanCore
import Foundation
import Testing

/// Sessions, keys and events live in the data folder: a new server on the same folder carries on.
@Suite("Restart")
struct RestartPersistenceTests {
    /// Polls `check` until it is true or `timeout` passes.
    static func eventually(timeout: Duration = .seconds(15), _ check: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await check() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await check()
    }

    @Test func sessionsSurviveARestart() async throws {
        let directory = try TestServer.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (keys, live, created, ended) = try await TestServer.run(dataDirectory: directory) { server in
            let (speaker, live, _) = try await server.speaker(extra: ["title": "Before restart"])
            let (listener, _) = try await server.listener(live)
            let created = try await server.createSession(["sourceLanguage": "en", "passcode": "2468"])
            let ended = try await server.createSession()
            _ = try await server.http(.DELETE, "/v1/sessions/\(ended)", key: server.keys.speaker)
            await listener.disconnect()
            await speaker.disconnect()
            return (server.keys, live, created, ended)
        }

        try await TestServer.run(dataDirectory: directory, keys: keys) { server in
            // The speaker dropped when the server stopped: the session waits for it.
            #expect(try await server.status(of: live) == "paused")
            let (listener, joined) = try await server.listener(live)
            #expect(joined["title"]?.stringValue == "Before restart")
            let speaker = server.connect(["action": "refreshConnection", "role": "speaker", "sessionId": live, "token": keys.speaker])
            try await speaker.expect("connectionRefreshComplete")
            try await listener.waitFor("speakerReconnected")
            #expect(try await server.status(of: live) == "active")

            // A session made over HTTP keeps its passcode.
            #expect(try await server.connect(["action": "joinSession", "sessionId": created, "targetLanguage": "es"]).refusalStatus() == 401)
            let guest = server.connect(["action": "joinSession", "sessionId": created, "targetLanguage": "es", "passcode": "2468"])
            try await guest.expect("sessionJoined")

            // Ended stays ended.
            #expect(try await server.connect(["action": "joinSession", "sessionId": ended, "targetLanguage": "es"]).refusalStatus() == 410)

            // Keys still work, and the owner still owns its sessions.
            let own = try await server.http(.GET, "/v1/sessions", key: keys.speaker)
            guard case .array(let sessions) = own.json?["sessions"] else {
                Issue.record("\(own)")
                return
            }
            #expect(Set(sessions.compactMap { $0["sessionId"]?.stringValue }) == [live, created])
            await guest.disconnect()
            await listener.disconnect()
            await speaker.disconnect()
        }
    }

    @Test func aSessionWhoseSpeakerNeverReturnsEndsAfterTheGracePeriod() async throws {
        let directory = try TestServer.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (keys, sessionId) = try await TestServer.run(dataDirectory: directory) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            await speaker.disconnect()
            return (server.keys, sessionId)
        }
        try await TestServer.run(dataDirectory: directory, keys: keys, configure: { $0.speakerGracePeriod = 0.3 }) { server in
            // Nobody connects: the restored session ends on its own.
            let ended = try await Self.eventually { try await server.status(of: sessionId) == "ended" }
            #expect(ended)
        }
    }

    @Test func eventsSurviveARestart() async throws {
        let directory = try TestServer.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (keys, sessionId) = try await TestServer.run(dataDirectory: directory) { server in
            (server.keys, try await server.createSession())
        }
        try await TestServer.run(dataDirectory: directory, keys: keys) { server in
            try await EventStreamTests.withEvents(server, key: keys.operator) { events in
                let first = try await events.next()
                #expect(first.json?["data"]?["sessionId"]?.stringValue == sessionId)
                #expect(first.json?["data"]?["status"]?.stringValue == "created")
            }
        }
    }
}
