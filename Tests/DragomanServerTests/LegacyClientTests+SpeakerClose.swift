import DragomanCore
import DragomanServer
import Foundation
import Testing

/// What the replaced design's speakers mean by closing their socket: its server ended the session
/// on the speaker's disconnect (session-management/lambda/disconnect_handler/handler.py,
/// `handle_speaker_disconnect`, commit f267b0f961698957fa01423db5ccde8680a0b8f6), and its example
/// speakers close with 1000 as their end (speaker_client.py and speaker-client.js, `disconnect`).
/// A normal close ends the session at once; a drop keeps Dragoman's reconnect wait.
@Suite("Clients of the replaced design: the speaker's close")
struct LegacySpeakerCloseTests {
    /// A grace period no test waits for: a session that ends, ends because of the close.
    static func longGrace(_ settings: inout ServerConfiguration) {
        settings.speakerGracePeriod = 600
    }

    /// speaker-client.js, `connect`: createSession, its tier and the token in the URL, nothing else.
    static func exampleSpeaker(_ server: TestServer) async throws -> (client: WebSocketTestClient, sessionId: String) {
        let speaker = server.connect(["action": "createSession", "sourceLanguage": "en", "qualityTier": "standard", "token": server.keys.speaker])
        return (speaker, try #require(try await speaker.expect("sessionCreated").sessionId))
    }

    /// `handleConnectionRefresh`: refreshConnection as the speaker, the token in the URL.
    static func exampleRefresh(_ server: TestServer, _ sessionId: String) async throws -> WebSocketTestClient {
        let speaker = server.connect(["action": "refreshConnection", "sessionId": sessionId, "role": "speaker", "token": server.keys.speaker])
        try await speaker.expect("connectionRefreshComplete")
        return speaker
    }

    @Test("the example speaker's normal close ends its session at once, but not the close of the socket its refresh replaced")
    func normalCloseEnds() async throws {
        try await TestServer.run(configure: Self.longGrace) { server in
            let (speaker, sessionId) = try await Self.exampleSpeaker(server)
            let (listener, _) = try await server.listener(sessionId)
            // The refresh: the new socket first, then the old one closed with 1000.
            let refreshed = try await Self.exampleRefresh(server, sessionId)
            await speaker.disconnect()
            #expect(try await listener.barrier().isEmpty)
            #expect(try await server.status(of: sessionId) == "active")

            await refreshed.disconnect()
            let ended = try await listener.expect("sessionEnded", timeout: .seconds(5))
            #expect(ended["reason"]?.stringValue == "endedBySpeaker")
            #expect(try await listener.closeCode() == .normalClosure)
            #expect(try await server.status(of: sessionId) == "ended")
        }
    }

    @Test("the speaker app (no action) ends its session by a normal close")
    func appCloseEnds() async throws {
        try await TestServer.run(configure: Self.longGrace) { server in
            let (speaker, sessionId) = try await LegacyClientTests.speakerApp(server)
            let (listener, _) = try await LegacyClientTests.listenerApp(server, sessionId)
            await speaker.disconnect()
            #expect(try await listener.expect("sessionEnded", timeout: .seconds(5))["reason"]?.stringValue == "endedBySpeaker")
            #expect(try await server.status(of: sessionId) == "ended")
        }
    }

    @Test("a speaker of the replaced design that goes away (1001) or drops (no close frame) keeps the reconnect wait")
    func dropsKeepTheWait() async throws {
        try await TestServer.run(configure: Self.longGrace) { server in
            let departures: [(WebSocketTestClient) -> Void] = [{ $0.close(code: 1_001) }, { $0.hangUp() }]
            for goesAway in departures {
                let (speaker, sessionId) = try await Self.exampleSpeaker(server)
                let (listener, _) = try await server.listener(sessionId)
                goesAway(speaker)
                #expect(try await listener.expect("speakerDisconnected")["gracePeriodSeconds"]?.doubleValue == 600)
                #expect(try await server.status(of: sessionId) == "paused")
                let back = try await Self.exampleRefresh(server, sessionId)
                try await listener.expect("speakerReconnected")
                #expect(try await server.status(of: sessionId) == "active")
                back.send(json: ["action": "endSession", "sessionId": .string(sessionId)])
                try await listener.expect("sessionEnded")
            }
        }
    }

    @Test("a speaker of the replaced design that Dragoman closes with 1000 (its maximum connection age) keeps the reconnect wait")
    func dragomansCloseKeepsTheWait() async throws {
        try await TestServer.run(configure: {
            Self.longGrace(&$0)
            $0.maxConnectionAge = 5
        }) { server in
            let speaker = server.connect(["action": "createSession", "sourceLanguage": "en", "qualityTier": "standard", "token": server.keys.speaker])
            // The age's warning may come first on a busy machine.
            let sessionId = try #require(try await speaker.waitFor("sessionCreated").message.sessionId)
            try await speaker.waitFor("connectionRefreshRequired", timeout: .seconds(20))
            #expect(try await speaker.closeCode() == .normalClosure)
            #expect(try await RestartPersistenceTests.eventually { try await server.status(of: sessionId) != "active" })
            #expect(try await server.status(of: sessionId) == "paused")
        }
    }

    @Test("Dragoman's own speakers keep the reconnect wait on a normal close: the token in Sec-WebSocket-Protocol, or sampleRate named")
    func ownDialectKeepsTheWait() async throws {
        try await TestServer.run(configure: Self.longGrace) { server in
            let pages = server.connect(
                ["action": "createSession", "sourceLanguage": "en"], headers: [SubprotocolCredentialTests.offer(["token": server.keys.speaker])])
            let commandLine = server.connect(["action": "createSession", "sourceLanguage": "en", "sampleRate": "16000", "token": server.keys.speaker])
            for speaker in [pages, commandLine] {
                let sessionId = try #require(try await speaker.expect("sessionCreated").sessionId)
                let (listener, _) = try await server.listener(sessionId)
                await speaker.disconnect()
                try await listener.expect("speakerDisconnected")
                #expect(try await server.status(of: sessionId) == "paused")
                await listener.disconnect()
            }
        }
    }
}
