import DragomanCore
import Testing

/// docs/protocol.md listener actions and the heartbeat both roles send.
@Suite("Listener actions")
struct ListenerActionTests {
    @Test func changeLanguage() async throws {
        try await TestServer.run { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (listener, _) = try await server.listener(sessionId, language: "es")
            listener.send(action: "changeLanguage", ["targetLanguage": "fr"])
            let changed = try await listener.expect("languageChanged")
            #expect(changed.sessionId == sessionId)
            #expect(changed["targetLanguage"]?.stringValue == "fr")
            #expect(changed["previousLanguage"]?.stringValue == "es")
            speaker.send(action: "getSessionStatus")
            let status = try await speaker.waitFor("sessionStatus") { $0["updateReason"]?.stringValue == "requested" }.message
            #expect(status["languageDistribution"] == ["fr": 1])
            // Back to the session's own language, written as a regional tag.
            listener.send(action: "changeLanguage", ["targetLanguage": "en-GB"])
            #expect(try await listener.expect("languageChanged")["targetLanguage"]?.stringValue == "en")
            await listener.disconnect()
            await speaker.disconnect()
        }
    }

    @Test func changeLanguageToAnUnavailableOneIsRefused() async throws {
        try await TestServer.run { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (listener, _) = try await server.listener(sessionId, language: "es")
            for language in ["de", "zz", "not a language"] {
                listener.send(action: "changeLanguage", ["targetLanguage": .string(language)])
                let error = try await listener.expectError("UNSUPPORTED_LANGUAGE")
                #expect(error["action"]?.stringValue == "changeLanguage")
            }
            // Still Spanish, still connected.
            #expect(try await listener.barrier().isEmpty)
            speaker.send(action: "getSessionStatus")
            let status = try await speaker.waitFor("sessionStatus") { $0["updateReason"]?.stringValue == "requested" }.message
            #expect(status["languageDistribution"] == ["es": 1])
            await listener.disconnect()
            await speaker.disconnect()
        }
    }

    @Test func pauseAndResumePlayback() async throws {
        try await TestServer.run { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (listener, _) = try await server.listener(sessionId)
            listener.send(action: "pausePlayback")
            #expect(try await listener.expect("playbackPaused").sessionId == sessionId)
            listener.send(action: "resumePlayback")
            #expect(try await listener.expect("playbackResumed").sessionId == sessionId)
            // Playback is the listener's own business: the speaker hears nothing of it.
            let seen = try await speaker.barrier()
            #expect(seen.allSatisfy { $0.type == "sessionStatus" })
            await listener.disconnect()
            await speaker.disconnect()
        }
    }

    @Test func heartbeatForBothRoles() async throws {
        try await TestServer.run { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (listener, _) = try await server.listener(sessionId)
            try await speaker.expect("sessionStatus")
            for client in [speaker, listener] {
                client.send(action: "heartbeat")
                let ack = try await client.expect("heartbeatAck")
                #expect(ack.sessionId == sessionId)
                #expect(ack["timestamp"]?.intValue != nil)
            }
            await listener.disconnect()
            await speaker.disconnect()
        }
    }
}
