import DragomanCore
import DragomanServer
import Foundation
import Testing

/// docs/protocol.md "Errors": every bad message gets the documented `error`, and the connection stays
/// open and usable afterwards. Rate limits are raised here so that only the message itself counts.
@Suite("Bad messages")
struct MessageErrorTests {
    private static func generous(_ settings: inout ServerConfiguration) {
        settings.controlMessagesPerSecond = 10_000
        settings.audioChunksPerSecond = 10_000
    }

    @Test(
        arguments: [
            ("this is not json", "INVALID_MESSAGE", nil),
            ("{\"action\":", "INVALID_MESSAGE", nil),
            ("[\"heartbeat\"]", "INVALID_MESSAGE", nil),
            ("\"heartbeat\"", "INVALID_MESSAGE", nil),
            ("{}", "INVALID_MESSAGE", nil),
            ("{\"action\":42}", "INVALID_MESSAGE", nil),
            ("{\"action\":\"launchRocket\"}", "UNKNOWN_ACTION", "launchRocket"),
            ("{\"action\":\"setVolume\"}", "INVALID_MESSAGE", "setVolume"),
            ("{\"action\":\"setVolume\",\"volumeLevel\":\"loud\"}", "INVALID_MESSAGE", "setVolume"),
            ("{\"action\":\"setVolume\",\"volumeLevel\":1.5}", "INVALID_MESSAGE", "setVolume"),
            ("{\"action\":\"setVolume\",\"volumeLevel\":-0.1}", "INVALID_MESSAGE", "setVolume"),
            ("{\"action\":\"speakerStateChange\"}", "INVALID_MESSAGE", "speakerStateChange"),
            ("{\"action\":\"speakerStateChange\",\"state\":[true]}", "INVALID_MESSAGE", "speakerStateChange"),
            ("{\"action\":\"speakerStateChange\",\"state\":{\"isMuted\":\"yes\"}}", "INVALID_MESSAGE", "speakerStateChange"),
            ("{\"action\":\"sendAudio\"}", "INVALID_MESSAGE", "sendAudio"),
            ("{\"action\":\"sendAudio\",\"audioData\":123}", "INVALID_MESSAGE", "sendAudio"),
            ("{\"action\":\"sendAudio\",\"audioData\":\"%%% not base64 %%%\"}", "INVALID_AUDIO_FORMAT", "sendAudio"),
            ("{\"action\":\"sendAudio\",\"audioData\":\"AAAA\"}", "INVALID_AUDIO_FORMAT", "sendAudio"),
            ("{\"action\":\"sendAudio\",\"audioData\":\"\"}", "INVALID_AUDIO_FORMAT", "sendAudio"),
            ("{\"action\":\"changeLanguage\",\"targetLanguage\":\"fr\"}", "FORBIDDEN", "changeLanguage"),
            ("{\"action\":\"pausePlayback\"}", "FORBIDDEN", "pausePlayback"),
            ("{\"action\":\"resumePlayback\"}", "FORBIDDEN", "resumePlayback"),
        ] as [(String, String, String?)])
    func speakerSendsABadMessage(text: String, code: String, action: String?) async throws {
        try await TestServer.run(configure: Self.generous) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            speaker.send(text)
            let error = try await speaker.expectError(code)
            #expect(error.sessionId == sessionId)
            #expect(error["action"]?.stringValue == action)
            // Still open and still working.
            speaker.send(action: "pauseBroadcast")
            try await speaker.expect("broadcastPaused")
            await speaker.disconnect()
        }
    }

    @Test func aListenerSendingSpeakerActionsIsForbidden() async throws {
        try await TestServer.run(configure: Self.generous) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (listener, _) = try await server.listener(sessionId)
            let fields: [String: JSONValue] = ["audioData": "AAAA", "volumeLevel": 0.5, "state": ["isPaused": true], "command": "pause"]
            for action in ClientMessage.speakerActions.sorted() {
                listener.send(action: action, fields)
                let error = try await listener.expectError("FORBIDDEN")
                #expect(error["action"]?.stringValue == action)
            }
            // Binary frames are speaker audio.
            listener.send(binary: [0, 0, 0, 0])
            #expect(try await listener.expectError("FORBIDDEN")["action"]?.stringValue == "sendAudio")
            // Nothing happened to the broadcast, and the listener is still connected.
            #expect(try await speaker.barrier().allSatisfy { $0.type == "sessionStatus" })
            #expect(try await listener.barrier().isEmpty)
            listener.send(action: "pausePlayback")
            try await listener.expect("playbackPaused")
            await listener.disconnect()
            await speaker.disconnect()
        }
    }

    @Test func aListenerSendsMalformedInput() async throws {
        try await TestServer.run(configure: Self.generous) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (listener, _) = try await server.listener(sessionId)
            for (text, code) in [
                ("{{{", "INVALID_MESSAGE"), ("{\"action\":\"fly\"}", "UNKNOWN_ACTION"), ("{\"action\":\"changeLanguage\"}", "INVALID_MESSAGE"),
                ("{\"action\":\"changeLanguage\",\"targetLanguage\":false}", "INVALID_MESSAGE"), ("null", "INVALID_MESSAGE"),
            ] {
                listener.send(text)
                try await listener.expectError(code)
            }
            #expect(try await listener.barrier().isEmpty)
            await listener.disconnect()
            await speaker.disconnect()
        }
    }

    @Test func badAudio() async throws {
        try await TestServer.run(configure: Self.generous) { server in
            let (speaker, _, _) = try await server.speaker()
            // An odd number of bytes is not 16-bit PCM.
            speaker.send(binary: [1, 2, 3])
            try await speaker.expectError("INVALID_AUDIO_FORMAT")
            // A WAV file is not raw PCM.
            var wav = Array("RIFF".utf8) + [36, 0, 0, 0] + Array("WAVEfmt ".utf8)
            wav += [UInt8](repeating: 0, count: 32)
            speaker.send(binary: wav)
            try await speaker.expectError("INVALID_AUDIO_FORMAT")
            // An audio chunk over 32 KB, as a binary frame and as sendAudio.
            speaker.send(binary: [UInt8](repeating: 0, count: 32 * 1024 + 2))
            try await speaker.expectError("PAYLOAD_TOO_LARGE")
            let big = Data(repeating: 0, count: 32 * 1024 + 2).base64EncodedString()
            speaker.send(action: "sendAudio", ["audioData": .string(big)])
            #expect(try await speaker.expectError("PAYLOAD_TOO_LARGE")["action"]?.stringValue == "sendAudio")
            // A chunk of exactly 32 KB is fine.
            speaker.send(binary: [UInt8](repeating: 0, count: 32 * 1024))
            #expect(try await speaker.barrier().isEmpty)
            await speaker.disconnect()
        }
    }

    @Test func nonUTF8TextIsRefusedWithoutClosing() async throws {
        try await TestServer.run(configure: Self.generous) { server in
            let (speaker, _, _) = try await server.speaker()
            speaker.send("{\"action\":\"heartbeat\",\"note\":\"\u{FFFD}\"}")
            try await speaker.expect("heartbeatAck")
            await speaker.disconnect()
        }
    }
}
