import DragomanCore
import Foundation
import Testing

/// docs/protocol.md speaker actions: the reply to the sender and what every listener gets.
@Suite("Speaker actions")
struct SpeakerActionTests {
    /// A speaker with two listeners (Spanish and French), the joins' status messages consumed.
    struct Audience {
        let speaker: WebSocketTestClient
        let sessionId: String
        let listeners: [WebSocketTestClient]

        static func make(_ server: TestServer) async throws -> Audience {
            let (speaker, sessionId, _) = try await server.speaker()
            let (spanish, _) = try await server.listener(sessionId, language: "es")
            let (french, _) = try await server.listener(sessionId, language: "fr")
            // Each join sent the speaker a status (a new language each time).
            try await speaker.expect("sessionStatus")
            try await speaker.expect("sessionStatus")
            return Audience(speaker: speaker, sessionId: sessionId, listeners: [spanish, french])
        }

        /// Sends `action` and returns the sender's reply and each listener's copy, all of `type`.
        func perform(_ action: String, _ fields: [String: JSONValue] = [:], expecting type: String) async throws -> [Message] {
            speaker.send(action: action, fields)
            var received = [try await speaker.expect(type)]
            for listener in listeners { received.append(try await listener.expect(type)) }
            for message in received { #expect(message.sessionId == sessionId) }
            return received
        }

        func close() async {
            for listener in listeners { await listener.disconnect() }
            await speaker.disconnect()
        }
    }

    @Test func pauseAndResumeBroadcast() async throws {
        try await TestServer.run { server in
            let audience = try await Audience.make(server)
            for message in try await audience.perform("pauseBroadcast", expecting: "broadcastPaused") {
                #expect(message["broadcastState"]?["isPaused"]?.boolValue == true)
                #expect(message["broadcastState"]?["isActive"]?.boolValue == true)
            }
            #expect(try await server.status(of: audience.sessionId) == "paused")
            for message in try await audience.perform("resumeBroadcast", expecting: "broadcastResumed") {
                #expect(message["broadcastState"]?["isPaused"]?.boolValue == false)
            }
            #expect(try await server.status(of: audience.sessionId) == "active")
            await audience.close()
        }
    }

    @Test func muteAndUnmuteBroadcast() async throws {
        try await TestServer.run { server in
            let audience = try await Audience.make(server)
            for message in try await audience.perform("muteBroadcast", expecting: "broadcastMuted") {
                #expect(message["broadcastState"]?["isMuted"]?.boolValue == true)
            }
            // Muting is not pausing: the session stays active.
            #expect(try await server.status(of: audience.sessionId) == "active")
            for message in try await audience.perform("unmuteBroadcast", expecting: "broadcastUnmuted") {
                #expect(message["broadcastState"]?["isMuted"]?.boolValue == false)
            }
            await audience.close()
        }
    }

    @Test func setVolume() async throws {
        try await TestServer.run { server in
            let audience = try await Audience.make(server)
            for message in try await audience.perform("setVolume", ["volumeLevel": 0.25], expecting: "volumeChanged") {
                #expect(message["volumeLevel"]?.doubleValue == 0.25)
                #expect(message["broadcastState"]?["volume"]?.doubleValue == 0.25)
            }
            for message in try await audience.perform("setVolume", ["volumeLevel": 1], expecting: "volumeChanged") {
                #expect(message["volumeLevel"]?.doubleValue == 1)
            }
            await audience.close()
        }
    }

    @Test func speakerStateChangeCarriesTheWholeState() async throws {
        try await TestServer.run { server in
            let audience = try await Audience.make(server)
            let all: JSONValue = ["isPaused": true, "isMuted": true, "volume": 0.5]
            for message in try await audience.perform("speakerStateChange", ["state": all], expecting: "speakerStateChanged") {
                #expect(message["state"]?["isPaused"]?.boolValue == true)
                #expect(message["state"]?["isMuted"]?.boolValue == true)
                #expect(message["state"]?["volume"]?.doubleValue == 0.5)
                #expect(message["broadcastState"]?["isPaused"]?.boolValue == true)
            }
            #expect(try await server.status(of: audience.sessionId) == "paused")
            // A partial change still reports the whole state.
            for message in try await audience.perform("speakerStateChange", ["state": ["isPaused": false]], expecting: "speakerStateChanged") {
                #expect(message["state"]?.keys == ["isPaused", "isMuted", "volume"])
                #expect(message["state"]?["isPaused"]?.boolValue == false)
                #expect(message["state"]?["isMuted"]?.boolValue == true)
                #expect(message["state"]?["volume"]?.doubleValue == 0.5)
            }
            #expect(try await server.status(of: audience.sessionId) == "active")
            await audience.close()
        }
    }

    @Test func getSessionStatusAnswersOnlyTheSpeaker() async throws {
        try await TestServer.run { server in
            let audience = try await Audience.make(server)
            audience.speaker.send(action: "getSessionStatus")
            let status = try await audience.speaker.expect("sessionStatus")
            #expect(status["updateReason"]?.stringValue == "requested")
            #expect(status["listenerCount"]?.intValue == 2)
            #expect(status["languageDistribution"] == ["es": 1, "fr": 1])
            for listener in audience.listeners { #expect(try await listener.barrier().isEmpty) }
            await audience.close()
        }
    }

    @Test func sendAudioHasNoReply() async throws {
        try await TestServer.run { server in
            let audience = try await Audience.make(server)
            let pcm = Data(repeating: 0, count: 3_200).base64EncodedString()
            for _ in 0..<5 { audience.speaker.send(action: "sendAudio", ["audioData": .string(pcm)]) }
            #expect(try await audience.speaker.barrier().isEmpty)
            for listener in audience.listeners {
                #expect(try await listener.barrier().allSatisfy { $0.type != "error" })
            }
            await audience.close()
        }
    }

    @Test func binaryFramesAreAudio() async throws {
        try await TestServer.run { server in
            let (speaker, _, _) = try await server.speaker()
            for _ in 0..<5 { speaker.send(binary: [UInt8](repeating: 0, count: 640)) }
            #expect(try await speaker.barrier().isEmpty)
            await speaker.disconnect()
        }
    }

    @Test func aDeclaredSampleRateIsAccepted() async throws {
        try await TestServer.run { server in
            let (speaker, _, _) = try await server.speaker(extra: ["sampleRate": "48000"])
            speaker.send(binary: [UInt8](repeating: 0, count: 960))
            #expect(try await speaker.barrier().isEmpty)
            await speaker.disconnect()
        }
    }

    @Test func everyConnectionOfTheSpeakerIsTold() async throws {
        try await TestServer.run { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let second = server.connect(["action": "refreshConnection", "role": "speaker", "sessionId": sessionId, "token": server.keys.speaker])
            try await second.expect("connectionRefreshComplete")
            speaker.send(action: "muteBroadcast")
            try await speaker.expect("broadcastMuted")
            try await second.expect("broadcastMuted")
            await second.disconnect()
            await speaker.disconnect()
        }
    }
}
