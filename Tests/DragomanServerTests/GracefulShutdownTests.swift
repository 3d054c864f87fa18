import DragomanCore
import Testing

/// SIGTERM (a graceful shutdown of the service group): the segment under way is finished and
/// published, then every client is asked to reconnect and closed with 1001.
@Suite("Graceful shutdown")
struct GracefulShutdownTests {
    @Test("clients get connectionRefreshRequired and a 1001 close")
    func shutdownTellsSpeakersAndListeners() async throws {
        let (speaker, listener) = try await TestServer.run { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let listener = try await server.listener(sessionId).client
            return (speaker, listener)
        }
        for client in [speaker, listener] {
            let farewell = try await client.waitFor("connectionRefreshRequired", timeout: .seconds(10)).message
            #expect(farewell["reason"]?.stringValue == "serverShutdown")
            #expect(try await client.closeCode(timeout: .seconds(10)) == .goingAway)
        }
    }

    @Test("speech under way when the server stops is still recognized, translated and published")
    func inFlightSegmentIsFinished() async throws {
        let (speaker, listener) = try await TestServer.run(engines: FakeEngines.transcribing, configure: { $0.audioChunksPerSecond = 1_000 }) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let listener = try await server.listener(sessionId).client
            // Speech with no pause after it: the segment is still open when the shutdown comes.
            try await speaker.speak(ToneFrames.utterance(seconds: 1, pause: 0))
            return (speaker, listener)
        }
        defer { withExtendedLifetime(speaker) {} }

        let (_, before) = try await listener.waitFor("connectionRefreshRequired", timeout: .seconds(10))
        let finals = before.filter { $0.type == "transcript" && $0["isFinal"]?.boolValue == true }
        #expect(finals.count == 1, "\(before.map(\.type))")
        #expect(finals.first?["text"]?.stringValue?.hasPrefix("[es] speech of") == true)
    }
}
