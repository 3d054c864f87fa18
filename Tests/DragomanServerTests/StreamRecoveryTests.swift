import DragomanCore
import Foundation
import Testing

/// A listener who reconnects with the `epoch` and the last `sequence` it got is sent the final
/// captions it missed; one whose position cannot be served is told so (`recovered: false`).
@Suite("Recovery of missed captions")
struct StreamRecoveryTests {
    @Test("a reconnecting listener gets the final captions it missed, in order, then the live ones")
    func recoversMissedCaptions() async throws {
        try await TestServer.run(engines: FakeEngines.transcribing, configure: { $0.audioChunksPerSecond = 1_000 }) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (steady, _) = try await server.listener(sessionId)
            let (dropping, joined) = try await server.listener(sessionId)
            let epoch = try #require(joined["epoch"]?.stringValue)
            #expect(joined["sequence"]?.intValue == 0)

            try await speak(1, to: speaker)
            let first = try await dropping.waitFor("transcript") { $0["isFinal"]?.boolValue == true }.message
            let lastSeen = try #require(first["sequence"]?.intValue)
            await dropping.disconnect()

            try await speak(2, to: speaker)
            var missed: [Message] = []
            while missed.count < 3 {
                missed.append(try await steady.waitFor("transcript") { $0["isFinal"]?.boolValue == true }.message)
            }
            missed.removeFirst()

            let back = server.connect([
                "action": "refreshConnection", "role": "listener", "sessionId": sessionId, "targetLanguage": "es",
                "epoch": epoch, "since": String(lastSeen),
            ])
            let refreshed = try await back.expect("connectionRefreshComplete")
            #expect(refreshed["recovered"]?.boolValue == true)
            #expect(refreshed["sequence"]?.intValue ?? 0 >= missed.last?["sequence"]?.intValue ?? .max)
            for expected in missed {
                let replayed = try await back.expect("transcript")
                #expect(replayed["sequence"] == expected["sequence"])
                #expect(replayed["text"] == expected["text"])
            }

            try await speak(1, to: speaker)
            let live = try await back.waitFor("transcript") { $0["isFinal"]?.boolValue == true }.message
            #expect(live["sequence"]?.intValue ?? 0 > missed.last?["sequence"]?.intValue ?? .max)
        }
    }

    @Test("a position from another epoch is not served: recovered is false and nothing is replayed")
    func otherEpoch() async throws {
        try await TestServer.run(engines: FakeEngines.transcribing, configure: { $0.audioChunksPerSecond = 1_000 }) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (steady, _) = try await server.listener(sessionId)
            try await speak(1, to: speaker)
            try await steady.waitFor("transcript") { $0["isFinal"]?.boolValue == true }

            let stranger = server.connect([
                "action": "joinSession", "sessionId": sessionId, "targetLanguage": "es", "epoch": "not-this-one", "since": "0",
            ])
            let joined = try await stranger.expect("sessionJoined")
            #expect(joined["recovered"]?.boolValue == false)
            stranger.send(action: "heartbeat")
            try await stranger.expect("heartbeatAck")
        }
    }

    @Test("a speaker whose network drops mid-sentence: what it said is still transcribed, and it goes on in the same session")
    func speakerDropsMidSentence() async throws {
        try await TestServer.run(engines: FakeEngines.transcribing, configure: { $0.audioChunksPerSecond = 1_000 }) { server in
            var (speaker, sessionId, _) = try await server.speaker()
            let listener = try await server.listener(sessionId).client
            // Speech with no pause after it, then the socket is gone without a close.
            try await speaker.speak(ToneFrames.utterance(seconds: 1, pause: 0))
            speaker = server.connect(["action": "refreshConnection", "role": "speaker", "sessionId": sessionId, "token": server.keys.speaker])

            let first = try await listener.waitFor("transcript") { $0["isFinal"]?.boolValue == true }.message
            #expect(first["segmentId"]?.intValue == 1)
            #expect(try await speaker.expect("connectionRefreshComplete").sessionId == sessionId)
            try await speak(1, to: speaker)
            let second = try await listener.waitFor("transcript") { $0["isFinal"]?.boolValue == true }.message
            #expect(second["segmentId"]?.intValue == 2)
        }
    }

    /// Streams `count` utterances and waits until the server has read them.
    private func speak(_ count: Int, to speaker: WebSocketTestClient) async throws {
        try await speaker.speak((0..<count).flatMap { _ in ToneFrames.utterance(seconds: 0.8, pause: 0.7) })
    }
}
