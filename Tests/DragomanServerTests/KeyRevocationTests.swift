import DragomanCore
import Testing

/// A revoked speaker key (`dragoman keys revoke`, here through the store as the command does)
/// takes its live sessions' speakers off the air within seconds, and they cannot come back.
@Suite("Key revocation")
struct KeyRevocationTests {
    @Test func aRevokedKeysSpeakerIsClosedWithinTheCheckInterval() async throws {
        let clock = ManualClock()
        try await TestServer.run(clock: clock) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (listener, _) = try await server.listener(sessionId)
            try await speaker.expect("sessionStatus")
            // The registry's two timers (status, revocation) wait.
            await clock.waitForSleepers(2)
            #expect(try await server.store.revokeKey(idOrName: "alice"))
            clock.advance(by: 4)
            #expect(try await speaker.barrier().isEmpty)
            clock.advance(by: 1)
            let refused = try await speaker.expectError("UNAUTHORIZED")
            #expect(refused["message"]?.stringValue?.contains("revoked") == true)
            #expect(try await speaker.closeCode() == .policyViolation)
            try await listener.expect("speakerDisconnected")
            let back = server.connect(["action": "refreshConnection", "role": "speaker", "sessionId": sessionId, "token": server.keys.speaker])
            #expect(try await back.refusalStatus() == 401)
            await listener.disconnect()
        }
    }
}
