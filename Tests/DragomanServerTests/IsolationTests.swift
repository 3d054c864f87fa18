import DragomanCore
import Testing

/// Roles and sessions do not leak into each other.
@Suite("Isolation")
struct IsolationTests {
    @Test func listenersHearOnlyTheirOwnSession() async throws {
        try await TestServer.run { server in
            let (speakerA, sessionA, _) = try await server.speaker()
            let (speakerB, sessionB, _) = try await server.speaker(key: server.keys.otherSpeaker)
            let (listenerA, _) = try await server.listener(sessionA)
            let (listenerB, _) = try await server.listener(sessionB)
            try await speakerA.expect("sessionStatus")
            try await speakerB.expect("sessionStatus")

            for action in ["pauseBroadcast", "muteBroadcast"] {
                speakerB.send(action: action)
            }
            speakerB.send(action: "setVolume", ["volumeLevel": 0.1])
            for type in ["broadcastPaused", "broadcastMuted", "volumeChanged"] {
                #expect(try await speakerB.expect(type).sessionId == sessionB)
                #expect(try await listenerB.expect(type).sessionId == sessionB)
            }
            // Session A saw none of it.
            #expect(try await listenerA.barrier().isEmpty)
            #expect(try await speakerA.barrier().isEmpty)
            speakerA.send(action: "getSessionStatus")
            let status = try await speakerA.expect("sessionStatus")
            #expect(status["listenerCount"]?.intValue == 1)
            #expect(status["broadcastState"]?["isPaused"]?.boolValue == false)
            #expect(status["broadcastState"]?["isMuted"]?.boolValue == false)

            // Ending B leaves A running.
            _ = try await server.http(.DELETE, "/v1/sessions/\(sessionB)", key: server.keys.otherSpeaker)
            try await listenerB.waitFor("sessionEnded")
            #expect(try await listenerA.barrier().isEmpty)
            for client in [listenerA, speakerA] { await client.disconnect() }
        }
    }

    @Test func aKeyCannotOpenAnotherKeysSession() async throws {
        try await TestServer.run { server in
            let (speakerA, sessionA, _) = try await server.speaker()
            let intruder = server.connect(["action": "refreshConnection", "role": "speaker", "sessionId": sessionA, "token": server.keys.otherSpeaker])
            #expect(try await intruder.refusalStatus() == 403)
            let reattach = server.connect(["action": "createSession", "sourceLanguage": "en", "sessionId": sessionA, "token": server.keys.otherSpeaker])
            #expect(try await reattach.refusalStatus() == 403)
            #expect(try await server.http(.DELETE, "/v1/sessions/\(sessionA)", key: server.keys.otherSpeaker).code == 403)
            // Nothing changed for the owner.
            #expect(try await speakerA.barrier().isEmpty)
            #expect(try await server.status(of: sessionA) == "active")
            await speakerA.disconnect()
        }
    }

    @Test func eachKeyListsOnlyItsOwnSessions() async throws {
        try await TestServer.run { server in
            let mine = try await server.createSession(key: server.keys.speaker)
            let theirs = try await server.createSession(key: server.keys.otherSpeaker)
            let listA = try await server.http(.GET, "/v1/sessions", key: server.keys.speaker)
            let listB = try await server.http(.GET, "/v1/sessions", key: server.keys.otherSpeaker)
            #expect(Self.ids(listA) == [mine])
            #expect(Self.ids(listB) == [theirs])
        }
    }

    @Test func aListenerCannotActAsTheSpeaker() async throws {
        try await TestServer.run { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (listener, _) = try await server.listener(sessionId)
            listener.send(action: "pauseBroadcast")
            try await listener.expectError("FORBIDDEN")
            listener.send(action: "getSessionStatus")
            try await listener.expectError("FORBIDDEN")
            // A listener refresh cannot turn into a speaker without the key.
            let sneaky = server.connect(["action": "refreshConnection", "role": "speaker", "sessionId": sessionId])
            try await sneaky.expectError("INVALID_MESSAGE")
            #expect(try await speaker.barrier().allSatisfy { $0.type == "sessionStatus" })
            #expect(try await server.status(of: sessionId) == "active")
            await listener.disconnect()
            await speaker.disconnect()
        }
    }

    /// The session ids in a `GET /v1/sessions` answer.
    static func ids(_ response: HTTPResult) -> [String] {
        guard case .array(let sessions) = response.json?["sessions"] else { return [] }
        return sessions.compactMap { $0["sessionId"]?.stringValue }
    }
}
