import DragomanCore
import Foundation
import Testing

/// A failing speech engine is reported to the speaker as `ENGINE_FAILURE`, and the session goes on.
@Suite("Engine failures")
struct EngineFailureTests {
    @Test func aRecognizerFailureIsReportedAndTheSessionGoesOn() async throws {
        try await TestServer.run(engines: FakeEngines.failingRecognition, configure: { $0.audioChunksPerSecond = 1_000 }) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (listener, _) = try await server.listener(sessionId)
            try await speaker.expect("sessionStatus")
            // Quiet, then speech: the segmenter starts a segment and the recognizer fails.
            for index in 0..<25 { speaker.send(binary: ToneFrames.frame(amplitude: 3, offset: index * 320)) }
            for index in 25..<50 { speaker.send(binary: ToneFrames.frame(amplitude: 8_000, offset: index * 320)) }
            let failure = try await speaker.waitFor("error").message
            #expect(failure.code == "ENGINE_FAILURE")
            #expect(failure.sessionId == sessionId)
            // Listeners are not told; the session and the connections carry on.
            #expect(try await listener.barrier().allSatisfy { $0.type != "error" })
            speaker.send(action: "pauseBroadcast")
            try await speaker.waitFor("broadcastPaused")
            try await listener.waitFor("broadcastPaused")
            #expect(try await server.status(of: sessionId) == "paused")
            await listener.disconnect()
            await speaker.disconnect()
        }
    }
}
