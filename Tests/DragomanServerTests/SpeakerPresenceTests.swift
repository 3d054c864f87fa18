import DragomanCore
import Foundation
import Testing

/// What listeners are told when the speaker drops, comes back, or does not come back in time.
@Suite("Speaker presence")
struct SpeakerPresenceTests {
    @Test func speakerDropIsAnnouncedAndReturnWithinGraceToo() async throws {
        try await TestServer.run(configure: { $0.speakerGracePeriod = 30 }) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (listener, _) = try await server.listener(sessionId)
            await speaker.disconnect()
            let dropped = try await listener.expect("speakerDisconnected")
            #expect(dropped.sessionId == sessionId)
            #expect(dropped["broadcastState"]?["isActive"]?.boolValue == false)
            #expect(dropped["gracePeriodSeconds"]?.doubleValue == 30)
            #expect(try await server.status(of: sessionId) == "paused")

            let back = server.connect(["action": "refreshConnection", "role": "speaker", "sessionId": sessionId, "token": server.keys.speaker])
            try await back.expect("connectionRefreshComplete")
            let returned = try await listener.expect("speakerReconnected")
            #expect(returned["broadcastState"]?["isActive"]?.boolValue == true)
            #expect(try await server.status(of: sessionId) == "active")
            // The new speaker connection controls the broadcast.
            back.send(action: "muteBroadcast")
            try await listener.expect("broadcastMuted")
            await listener.disconnect()
            await back.disconnect()
        }
    }

    @Test func listenersAreToldOfTheDropBeforeTheSpeechUnderWayIsFinished() async throws {
        try await TestServer.run(engines: FakeEngines.slowRecognition(.seconds(3)), configure: { $0.audioChunksPerSecond = 1_000 }) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (listener, _) = try await server.listener(sessionId, language: "es")
            // Half a second of speech, and the speaker drops in the middle of it.
            for index in 0..<25 { speaker.send(binary: ToneFrames.frame(amplitude: 3, offset: index * 320)) }
            for index in 25..<75 { speaker.send(binary: ToneFrames.frame(amplitude: 8_000, offset: index * 320)) }
            #expect(try await speaker.barrier().allSatisfy { $0.type != "error" })
            await speaker.disconnect()
            // The drop is news at once, not once the recognizer has caught up (3 s here)...
            let next = try await listener.next()
            #expect(next.type == "speakerDisconnected")
            // ...and what was said before it is still transcribed and sent.
            let caption = try await listener.waitFor("transcript").message
            #expect(caption["text"]?.stringValue == "[es] Good evening.")
            await listener.disconnect()
        }
    }

    @Test func reattachingWithCreateSessionIsAReturnToo() async throws {
        try await TestServer.run { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (listener, _) = try await server.listener(sessionId)
            await speaker.disconnect()
            try await listener.expect("speakerDisconnected")
            let back = server.connect(["action": "createSession", "sourceLanguage": "en", "token": server.keys.speaker, "sessionId": sessionId])
            #expect(try await back.expect("sessionCreated").sessionId == sessionId)
            try await listener.expect("speakerReconnected")
            await listener.disconnect()
            await back.disconnect()
        }
    }

    @Test func oneOfTwoSpeakerConnectionsLeavingIsNoDrop() async throws {
        try await TestServer.run { server in
            let (speaker, sessionId, _) = try await server.speaker()
            // Dragoman's own speaker (it names `sampleRate`): the replaced design's would end the
            // session by closing normally (LegacySpeakerCloseTests).
            let second = server.connect(
                ["action": "refreshConnection", "role": "speaker", "sessionId": sessionId, "token": server.keys.speaker, "sampleRate": "16000"])
            try await second.expect("connectionRefreshComplete")
            let (listener, _) = try await server.listener(sessionId)
            await speaker.disconnect()
            #expect(try await listener.barrier().isEmpty)
            #expect(try await server.status(of: sessionId) == "active")
            await second.disconnect()
            try await listener.expect("speakerDisconnected")
            await listener.disconnect()
        }
    }

    @Test func graceExpiryEndsTheSession() async throws {
        let clock = ManualClock()
        try await TestServer.run(configure: { $0.speakerGracePeriod = 30 }, clock: clock) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (listener, _) = try await server.listener(sessionId)
            await speaker.disconnect()
            try await listener.expect("speakerDisconnected")
            clock.advance(by: 29)
            #expect(try await listener.barrier().isEmpty)
            #expect(try await server.status(of: sessionId) == "paused")
            clock.advance(by: 1)
            let ended = try await listener.expect("sessionEnded")
            #expect(ended.sessionId == sessionId)
            #expect(ended["reason"]?.stringValue == "gracePeriodExpired")
            #expect(try await listener.closeCode() == .normalClosure)
            #expect(try await server.status(of: sessionId) == "ended")
            // Over for good.
            let late = server.connect(["action": "refreshConnection", "role": "speaker", "sessionId": sessionId, "token": server.keys.speaker])
            #expect(try await late.refusalStatus() == 410)
        }
    }

    @Test func endingOverHTTPClosesEveryone() async throws {
        try await TestServer.run { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (listener, _) = try await server.listener(sessionId)
            #expect(try await server.http(.DELETE, "/v1/sessions/\(sessionId)", key: server.keys.speaker).code == 204)
            for client in [speaker, listener] {
                let ended = try await client.waitFor("sessionEnded").message
                #expect(ended["reason"]?.stringValue == "endedBySpeaker")
                #expect(try await client.closeCode() == .normalClosure)
            }
            #expect(try await server.status(of: sessionId) == "ended")
        }
    }

    @Test func aSessionCreatedOverHTTPDoesNotExpireWithoutASpeaker() async throws {
        let clock = ManualClock()
        try await TestServer.run(configure: { $0.speakerGracePeriod = 30 }, clock: clock) { server in
            let sessionId = try await server.createSession()
            let (listener, _) = try await server.listener(sessionId)
            clock.advance(by: 3_600)
            #expect(try await listener.barrier().isEmpty)
            #expect(try await server.status(of: sessionId) == "created")
            await listener.disconnect()
        }
    }
}
