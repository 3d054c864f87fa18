import DragomanCore
import Foundation
import Testing

/// docs/protocol.md "sessionStatus": requested within the answer budget, periodic, on a listener
/// count change of more than 10 % since the last one sent, and when a language gains its first listener.
@Suite("sessionStatus")
struct SessionStatusTests {
    /// Checks every field the protocol lists.
    static func checkFields(_ status: Message, sessionId: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for key in ["type", "sessionId", "listenerCount", "languageDistribution", "sessionDuration", "broadcastState", "timestamp", "updateReason"] {
            #expect(status.keys.contains(key), "\(key) missing from \(status)", sourceLocation: sourceLocation)
        }
        #expect(status.sessionId == sessionId, sourceLocation: sourceLocation)
        #expect((status["sessionDuration"]?.intValue ?? -1) >= 0, sourceLocation: sourceLocation)
        #expect(status["broadcastState"]?.keys == ["isActive", "isPaused", "isMuted", "volume", "lastStateChange"], sourceLocation: sourceLocation)
    }

    /// The 500 ms budget is the server's: past it, it answers an `error` instead (how fast it
    /// answers is measured by `dragoman bench control`, not by a test).
    @Test func requestedIsAnswered() async throws {
        try await TestServer.run { server in
            let (speaker, sessionId, _) = try await server.speaker()
            for _ in 0..<2 {
                speaker.send(action: "getSessionStatus")
                let status = try await speaker.expect("sessionStatus")
                #expect(status["updateReason"]?.stringValue == "requested")
                #expect(status["listenerCount"]?.intValue == 0)
                #expect(status["languageDistribution"] == [:])
                Self.checkFields(status, sessionId: sessionId)
            }
            await speaker.disconnect()
        }
    }

    /// A status at each interval, and none before: the server's timer waits on a clock the test
    /// moves.
    @Test func periodicAtTheConfiguredIntervalAndNotBefore() async throws {
        let clock = ManualClock()
        try await TestServer.run(configure: { $0.statusInterval = 30 }, clock: clock) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            // The periodic timer waits (it started with the server).
            await clock.waitForSleepers(1)
            for _ in 0..<2 {
                clock.advance(by: 29)
                #expect(try await speaker.barrier().isEmpty)
                clock.advance(by: 1)
                let status = try await speaker.expect("sessionStatus")
                #expect(status["updateReason"]?.stringValue == "periodic")
                Self.checkFields(status, sessionId: sessionId)
                await clock.waitForSleepers(1)
            }
            await speaker.disconnect()
        }
    }

    @Test func newLanguage() async throws {
        try await TestServer.run { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (spanish, _) = try await server.listener(sessionId, language: "es")
            var status = try await speaker.expect("sessionStatus")
            #expect(status["updateReason"]?.stringValue == "newLanguage")
            #expect(status["languageDistribution"] == ["es": 1])
            #expect(status["listenerCount"]?.intValue == 1)
            Self.checkFields(status, sessionId: sessionId)

            let (french, _) = try await server.listener(sessionId, language: "fr")
            status = try await speaker.expect("sessionStatus")
            #expect(status["updateReason"]?.stringValue == "newLanguage")
            #expect(status["languageDistribution"] == ["es": 1, "fr": 1])

            // Changing to a language nobody listened to is new too.
            spanish.send(action: "changeLanguage", ["targetLanguage": "ca"])
            try await spanish.expect("languageChanged")
            status = try await speaker.expect("sessionStatus")
            #expect(status["updateReason"]?.stringValue == "newLanguage")
            #expect(status["languageDistribution"] == ["ca": 1, "fr": 1])
            await french.disconnect()
            await spanish.disconnect()
            await speaker.disconnect()
        }
    }

    @Test func listenerCountChangeBeyondTenPercent() async throws {
        try await TestServer.run { server in
            let (speaker, sessionId, _) = try await server.speaker()
            var listeners: [WebSocketTestClient] = []
            // 1 → newLanguage, then every join up to 10 moves the count by more than 10 %.
            for count in 1...10 {
                listeners.append(try await server.listener(sessionId, language: "es").client)
                let status = try await speaker.expect("sessionStatus")
                #expect(status["updateReason"]?.stringValue == (count == 1 ? "newLanguage" : "listenerCountChange"))
                #expect(status["listenerCount"]?.intValue == count)
            }
            // 10 → 11 is exactly 10 %: no status.
            listeners.append(try await server.listener(sessionId, language: "es").client)
            #expect(try await speaker.barrier().isEmpty)
            // 10 → 12 since the last one sent is 20 %.
            listeners.append(try await server.listener(sessionId, language: "es").client)
            let status = try await speaker.expect("sessionStatus")
            #expect(status["updateReason"]?.stringValue == "listenerCountChange")
            #expect(status["listenerCount"]?.intValue == 12)
            #expect(status["languageDistribution"] == ["es": 12])
            // Leaving counts too: 12 → 10 is 17 %.
            await listeners.removeLast().disconnect()
            #expect(try await speaker.barrier().isEmpty)
            await listeners.removeLast().disconnect()
            let afterLeaving = try await speaker.expect("sessionStatus")
            #expect(afterLeaving["updateReason"]?.stringValue == "listenerCountChange")
            #expect(afterLeaving["listenerCount"]?.intValue == 10)
            for listener in listeners { await listener.disconnect() }
            await speaker.disconnect()
        }
    }

    @Test func aRequestedStatusResetsTheBaseline() async throws {
        try await TestServer.run { server in
            let (speaker, sessionId, _) = try await server.speaker()
            var listeners: [WebSocketTestClient] = []
            for _ in 1...10 {
                listeners.append(try await server.listener(sessionId, language: "es").client)
                try await speaker.expect("sessionStatus")
            }
            listeners.append(try await server.listener(sessionId, language: "es").client)
            speaker.send(action: "getSessionStatus")
            #expect(try await speaker.expect("sessionStatus")["listenerCount"]?.intValue == 11)
            // 11 → 12 is 9 % of the last one sent (11): no status, though it is 20 % of 10.
            listeners.append(try await server.listener(sessionId, language: "es").client)
            #expect(try await speaker.barrier().isEmpty)
            for listener in listeners { await listener.disconnect() }
            await speaker.disconnect()
        }
    }
}
