import DragomanCore
import Foundation
import Testing

/// docs/protocol.md "Connecting": each connect action and its first message.
@Suite("Connect actions")
struct ConnectActionTests {
    /// Whether `id` reads like `golden-eagle-427`.
    static func isSessionID(_ id: String?) -> Bool {
        guard let id else { return false }
        return SessionID.normalize(id) == id
    }

    /// Checks the envelope every server message carries.
    static func checkEnvelope(_ message: Message, sessionId: String?, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(message.sessionId == sessionId, sourceLocation: sourceLocation)
        let timestamp = message["timestamp"]?.intValue ?? 0
        #expect(abs(Double(timestamp) - Date().timeIntervalSince1970) < 60, "timestamp \(timestamp)", sourceLocation: sourceLocation)
    }

    @Test func createSession() async throws {
        try await TestServer.run { server in
            let (speaker, sessionId, created) = try await server.speaker(extra: ["title": "Keynote", "qualityTier": "premium"])
            #expect(Self.isSessionID(sessionId))
            Self.checkEnvelope(created, sessionId: sessionId)
            #expect(created["title"]?.stringValue == "Keynote")
            #expect(created["sourceLanguage"]?.stringValue == "en")
            #expect(created["qualityTier"]?.stringValue == "premium")
            #expect(created["status"]?.stringValue == "active")
            #expect(created["broadcastState"]?.keys == ["isActive", "isPaused", "isMuted", "volume", "lastStateChange"])
            #expect(created["broadcastState"]?["isActive"]?.boolValue == true)
            #expect(created["joinUrl"]?.stringValue?.hasSuffix("/s/\(sessionId)") == true)
            let languages = created["availableLanguages"].flatMap { value -> [String]? in
                guard case .array(let items) = value else { return nil }
                return items.compactMap(\.stringValue)
            }
            #expect(languages == ["ca", "en", "es", "fr"])
            #expect(try await server.status(of: sessionId) == "active")
            await speaker.disconnect()
        }
    }

    @Test func createSessionReattachesToASessionCreatedOverHTTP() async throws {
        try await TestServer.run { server in
            let sessionId = try await server.createSession()
            #expect(try await server.status(of: sessionId) == "created")
            let speaker = server.connect(["action": "createSession", "sourceLanguage": "en", "token": server.keys.speaker, "sessionId": sessionId])
            let created = try await speaker.expect("sessionCreated")
            #expect(created.sessionId == sessionId)
            #expect(created["title"]?.stringValue == "Test talk")
            #expect(created["status"]?.stringValue == "active")
            #expect(try await server.status(of: sessionId) == "active")
            // A typed form of the id is accepted too.
            let typed = sessionId.replacingOccurrences(of: "-", with: " ").uppercased()
            let second = server.connect(["action": "createSession", "sourceLanguage": "en", "token": server.keys.speaker, "sessionId": typed])
            #expect(try await second.expect("sessionCreated").sessionId == sessionId)
            await second.disconnect()
            await speaker.disconnect()
        }
    }

    @Test func joinSession() async throws {
        try await TestServer.run { server in
            let (speaker, sessionId, _) = try await server.speaker(extra: ["title": "Sermon"])
            let (listener, joined) = try await server.listener(sessionId, language: "es-MX")
            Self.checkEnvelope(joined, sessionId: sessionId)
            #expect(joined["targetLanguage"]?.stringValue == "es")
            #expect(joined["sourceLanguage"]?.stringValue == "en")
            #expect(joined["title"]?.stringValue == "Sermon")
            #expect(joined["status"]?.stringValue == "active")
            #expect(joined["broadcastState"]?["isActive"]?.boolValue == true)
            // The source language itself may be picked.
            let (english, _) = try await server.listener(sessionId, language: "en")
            await english.disconnect()
            await listener.disconnect()
            await speaker.disconnect()
        }
    }

    @Test func joinSessionBeforeTheSpeakerConnects() async throws {
        try await TestServer.run { server in
            let sessionId = try await server.createSession()
            let (listener, joined) = try await server.listener(sessionId)
            #expect(joined["status"]?.stringValue == "created")
            #expect(joined["broadcastState"]?["isActive"]?.boolValue == false)
            await listener.disconnect()
        }
    }

    @Test func refreshConnectionAsSpeaker() async throws {
        try await TestServer.run { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let refreshed = server.connect(["action": "refreshConnection", "role": "speaker", "sessionId": sessionId, "token": server.keys.speaker])
            let complete = try await refreshed.expect("connectionRefreshComplete")
            Self.checkEnvelope(complete, sessionId: sessionId)
            #expect(complete["role"]?.stringValue == "speaker")
            #expect(complete["status"]?.stringValue == "active")
            #expect(complete["broadcastState"] != nil)
            // The new connection is a speaker: it may pause.
            refreshed.send(action: "pauseBroadcast")
            try await refreshed.expect("broadcastPaused")
            await speaker.disconnect()
            await refreshed.disconnect()
        }
    }

    @Test func refreshConnectionAsListener() async throws {
        try await TestServer.run { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let listener = server.connect(["action": "refreshConnection", "role": "listener", "sessionId": sessionId, "targetLanguage": "fr"])
            let complete = try await listener.expect("connectionRefreshComplete")
            Self.checkEnvelope(complete, sessionId: sessionId)
            #expect(complete["role"]?.stringValue == "listener")
            #expect(complete["targetLanguage"]?.stringValue == "fr")
            // The new connection is a listener in French.
            speaker.send(action: "getSessionStatus")
            let status = try await speaker.waitFor("sessionStatus") { $0["updateReason"]?.stringValue == "requested" }.message
            #expect(status["languageDistribution"] == ["fr": 1])
            await listener.disconnect()
            await speaker.disconnect()
        }
    }

    @Test func aRepeatedJoinIsAnsweredAsARepeat() async throws {
        try await TestServer.run { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (listener, joined) = try await server.listener(sessionId)
            listener.send(action: "joinSession", ["sessionId": .string(sessionId), "targetLanguage": "es"])
            let again = try await listener.expect("sessionJoined")
            #expect(again.sessionId == sessionId)
            #expect(again["targetLanguage"] == joined["targetLanguage"])
            // Still one listener: the repeat joined nothing more.
            speaker.send(action: "getSessionStatus")
            let status = try await speaker.waitFor("sessionStatus") { $0["updateReason"]?.stringValue == "requested" }.message
            #expect(status["listenerCount"]?.intValue == 1)
            await listener.disconnect()
            await speaker.disconnect()
        }
    }

    @Test func aRepeatedCreateIsAnsweredAsARepeat() async throws {
        try await TestServer.run { server in
            let (speaker, sessionId, _) = try await server.speaker()
            speaker.send(action: "createSession", ["sourceLanguage": "en"])
            let again = try await speaker.expect("sessionCreated")
            #expect(again.sessionId == sessionId)
            // No second session was made.
            let own = try await server.http(.GET, "/v1/sessions", key: server.keys.speaker)
            guard case .array(let sessions) = own.json?["sessions"] else {
                Issue.record("no list: \(own)")
                return
            }
            #expect(sessions.count == 1)
            await speaker.disconnect()
        }
    }

    @Test func aRepeatedRefreshIsAnsweredAsARepeat() async throws {
        try await TestServer.run { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let listener = server.connect(["action": "refreshConnection", "role": "listener", "sessionId": sessionId, "targetLanguage": "es"])
            try await listener.expect("connectionRefreshComplete")
            listener.send(action: "refreshConnection", ["role": "listener", "sessionId": .string(sessionId), "targetLanguage": "es"])
            #expect(try await listener.expect("connectionRefreshComplete")["role"]?.stringValue == "listener")
            await listener.disconnect()
            await speaker.disconnect()
        }
    }

    /// The connect answer is the first message even when other messages are due at that moment
    /// (here a periodic status every 2 ms): nothing may overtake it.
    @Test func theConnectAnswerIsAlwaysTheFirstMessage() async throws {
        try await TestServer.run(configure: { $0.statusInterval = 0.002 }) { server in
            for _ in 0..<20 {
                let speaker = server.connect(["action": "createSession", "sourceLanguage": "en", "token": server.keys.speaker])
                let first = try await speaker.next()
                #expect(first.type == "sessionCreated", "first message: \(first)")
                await speaker.disconnect()
            }
        }
    }

    @Test func theOtherRolesConnectActionIsForbidden() async throws {
        try await TestServer.run { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (listener, _) = try await server.listener(sessionId)
            listener.send(action: "createSession", ["sourceLanguage": "en"])
            try await listener.expectError("FORBIDDEN")
            try await speaker.expect("sessionStatus")
            speaker.send(action: "joinSession", ["sessionId": .string(sessionId), "targetLanguage": "es"])
            try await speaker.expectError("FORBIDDEN")
            #expect(try await listener.barrier().isEmpty)
            await listener.disconnect()
            await speaker.disconnect()
        }
    }
}
