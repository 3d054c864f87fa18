import DragomanCore
import Foundation
import GRDB
import Testing

/// A store that refuses writes under a live session: here the SQLite file locked by another
/// process past the busy timeout, as a backup tool or a stuck writer would.
@Suite("Store trouble")
struct StoreTroubleTests {
    @Test("while the database refuses writes, captions go on, the speaker is told, and the transcript is complete once it takes them again")
    func captionsSurviveALockedDatabase() async throws {
        try await TestServer.run(engines: FakeEngines.transcribing, configure: { $0.audioChunksPerSecond = 1_000 }) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let listener = try await server.listener(sessionId, language: "es").client

            // Another connection takes the write lock and keeps it.
            var keepsTheLock = Configuration()
            keepsTheLock.allowsUnsafeTransactions = true
            let intruder = try DatabaseQueue(path: server.settings.databasePath, configuration: keepsTheLock)
            try await intruder.writeWithoutTransaction { try $0.execute(sql: "BEGIN EXCLUSIVE") }

            for _ in 0..<2 { try await speaker.speak(ToneFrames.utterance(seconds: 0.5, pause: 1)) }
            for _ in 0..<2 {
                let caption = try await listener.waitFor("transcript", timeout: .seconds(30)) { $0["isFinal"]?.boolValue == true }.message
                #expect(caption["text"]?.stringValue?.hasPrefix("[es] speech of") == true)
            }
            let warning = try await speaker.waitFor("error", timeout: .seconds(30)).message
            #expect(warning["code"]?.stringValue == "STORAGE_UNAVAILABLE")

            try await intruder.writeWithoutTransaction { try $0.execute(sql: "COMMIT") }
            // What was shown is stored once the lock is gone: both segments and their Spanish.
            let complete = try await RestartPersistenceTests.eventually(timeout: .seconds(30)) {
                let spanish = try await server.http(.GET, "/v1/sessions/\(sessionId)/transcript?language=es", key: server.keys.speaker)
                guard spanish.code == 200, let segments = spanish.json?["segments"]?.arrayValue else { return false }
                return segments.count == 2 && segments.allSatisfy { $0["text"]?.stringValue?.hasPrefix("[es] speech of") == true }
            }
            #expect(complete)
            await listener.disconnect()
            await speaker.disconnect()
        }
    }

    @Test("a store that takes 4 s per write holds back neither the captions nor the speaker's heartbeats; the transcript is complete after")
    func aSlowStoreHoldsNothingBack() async throws {
        try await TestServer.run(engines: FakeEngines.transcribing, configure: { $0.audioChunksPerSecond = 1_000 }, store: { OutageStore($0) }) { server in
            let store = try #require(server.store as? OutageStore)
            let (speaker, sessionId, _) = try await server.speaker()
            let listener = try await server.listener(sessionId, language: "es").client
            store.writeDelay = .seconds(4)

            let started = ContinuousClock.now
            for _ in 0..<3 { try await speaker.speak(ToneFrames.utterance(seconds: 0.5, pause: 1)) }
            // Written one after the other before their captions, three segments and their
            // translations would take 16 s at least; the talk itself takes under 5 s. The bound
            // lies between the two: the whole suite on two cores took this test to 10.6 s.
            for _ in 0..<3 {
                let caption = try await listener.waitFor("transcript", timeout: .seconds(15)) { $0["isFinal"]?.boolValue == true }.message
                #expect(caption["text"]?.stringValue?.hasPrefix("[es] speech of") == true)
            }
            let captioned = ContinuousClock.now - started
            #expect(captioned < .seconds(12), "the captions took \(captioned)")
            // The speaker's heartbeat is answered without waiting for a write (4 s), and nobody
            // was told of a refusal.
            let beat = ContinuousClock.now
            let before = try await speaker.barrier(timeout: .seconds(5))
            #expect(ContinuousClock.now - beat < .seconds(2))
            #expect(!before.contains { $0.type == "error" }, "\(before)")

            let complete = try await RestartPersistenceTests.eventually(timeout: .seconds(60)) {
                let spanish = try await server.http(.GET, "/v1/sessions/\(sessionId)/transcript?language=es", key: server.keys.speaker)
                guard spanish.code == 200, let segments = spanish.json?["segments"]?.arrayValue else { return false }
                return segments.count == 3 && segments.allSatisfy { $0["text"]?.stringValue?.hasPrefix("[es] speech of") == true }
            }
            #expect(complete)
            await listener.disconnect()
            await speaker.disconnect()
        }
    }
}
