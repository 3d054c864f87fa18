import DragomanCore
import Testing

/// docs/protocol.md: "A refused connect gets an HTTP error on the upgrade (401 bad credential, 404
/// unknown session, 410 ended session, 429 rate-limited)"; Dragoman adds 403 for another key's
/// session. Connects that pass these checks but cannot be served get `error` and close 1008.
@Suite("Refused connects")
struct UpgradeRefusalTests {
    /// Checks a WebSocket client's upgrade is refused with `status`.
    private func expectRefused(_ server: TestServer, _ query: [String: String], status: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let client = server.connect(query)
        #expect(try await client.refusalStatus() == status, "\(query)", sourceLocation: sourceLocation)
    }

    @Test func badKeyIs401() async throws {
        try await TestServer.run { server in
            try await expectRefused(server, ["action": "createSession", "sourceLanguage": "en", "token": "dgk_wrong"], status: 401)
            let sessionId = try await server.createSession()
            try await expectRefused(server, ["action": "refreshConnection", "role": "speaker", "sessionId": sessionId, "token": "nope"], status: 401)
            // A revoked key is a bad key.
            _ = try await server.store.revokeKey(idOrName: "bob")
            try await expectRefused(server, ["action": "createSession", "sourceLanguage": "en", "token": server.keys.otherSpeaker], status: 401)
            // The refusal is JSON that says why.
            let response = try await server.upgrade(["action": "createSession", "sourceLanguage": "en", "token": "dgk_wrong"])
            #expect(response.code == 401)
            #expect(response.json?["error"]?["message"]?.stringValue?.isEmpty == false, "\(response)")
        }
    }

    @Test func unknownSessionIs404() async throws {
        try await TestServer.run { server in
            try await expectRefused(server, ["action": "joinSession", "sessionId": "no-such-100", "targetLanguage": "es"], status: 404)
            // Something that cannot be a session id is unknown too.
            try await expectRefused(server, ["action": "joinSession", "sessionId": "../../etc/passwd", "targetLanguage": "es"], status: 404)
            try await expectRefused(
                server, ["action": "refreshConnection", "role": "listener", "sessionId": "no-such-100", "targetLanguage": "es"], status: 404)
            try await expectRefused(
                server, ["action": "createSession", "sourceLanguage": "en", "token": server.keys.speaker, "sessionId": "no-such-100"], status: 404)
        }
    }

    @Test func endedSessionIs410() async throws {
        try await TestServer.run { server in
            let sessionId = try await server.createSession()
            #expect(try await server.http(.DELETE, "/v1/sessions/\(sessionId)", key: server.keys.speaker).code == 204)
            try await expectRefused(server, ["action": "joinSession", "sessionId": sessionId, "targetLanguage": "es"], status: 410)
            try await expectRefused(server, ["action": "refreshConnection", "role": "listener", "sessionId": sessionId, "targetLanguage": "es"], status: 410)
            try await expectRefused(
                server, ["action": "refreshConnection", "role": "speaker", "sessionId": sessionId, "token": server.keys.speaker], status: 410)
            try await expectRefused(
                server, ["action": "createSession", "sourceLanguage": "en", "token": server.keys.speaker, "sessionId": sessionId], status: 410)
        }
    }

    @Test func anotherKeysSessionIs403() async throws {
        try await TestServer.run { server in
            let sessionId = try await server.createSession(key: server.keys.speaker)
            try await expectRefused(
                server, ["action": "createSession", "sourceLanguage": "en", "token": server.keys.otherSpeaker, "sessionId": sessionId], status: 403)
            try await expectRefused(
                server, ["action": "refreshConnection", "role": "speaker", "sessionId": sessionId, "token": server.keys.otherSpeaker], status: 403)
        }
    }

    @Test func wrongPasscodeIs401() async throws {
        try await TestServer.run { server in
            let sessionId = try await server.createSession(["sourceLanguage": "en", "passcode": "4321"])
            try await expectRefused(server, ["action": "joinSession", "sessionId": sessionId, "targetLanguage": "es"], status: 401)
            try await expectRefused(server, ["action": "joinSession", "sessionId": sessionId, "targetLanguage": "es", "passcode": "1234"], status: 401)
            let listener = server.connect(["action": "joinSession", "sessionId": sessionId, "targetLanguage": "es", "passcode": "4321"])
            try await listener.expect("sessionJoined")
            await listener.disconnect()
        }
    }

    @Test func failedConnectsAreRateLimitedWith429() async throws {
        let clock = ManualClock()
        try await TestServer.run(configure: { $0.failedConnectsPerMinute = 3 }, clock: clock) { server in
            // Made first: the HTTP API shares the allowance of failed guesses (GuessLimitTests).
            let sessionId = try await server.createSession()
            for _ in 0..<3 {
                try await expectRefused(server, ["action": "joinSession", "sessionId": "no-such-100", "targetLanguage": "es"], status: 404)
            }
            // Now even a good connect from this address waits.
            try await expectRefused(server, ["action": "joinSession", "sessionId": sessionId, "targetLanguage": "es"], status: 429)
            try await expectRefused(server, ["action": "createSession", "sourceLanguage": "en", "token": "bad"], status: 429)
            // Routes that name no session and check no key are not affected.
            #expect(try await server.http(.GET, "/healthz").code == 200)
            // A third of a minute later the address has one try again.
            clock.advance(by: 20)
            let listener = server.connect(["action": "joinSession", "sessionId": sessionId, "targetLanguage": "es"])
            try await listener.expect("sessionJoined")
            await listener.disconnect()
        }
    }

    @Test func successfulConnectsDoNotCountAsFailures() async throws {
        try await TestServer.run(configure: { $0.failedConnectsPerMinute = 2 }) { server in
            let sessionId = try await server.createSession()
            for _ in 0..<5 {
                let (listener, _) = try await server.listener(sessionId)
                await listener.disconnect()
            }
            try await expectRefused(server, ["action": "joinSession", "sessionId": "no-such-100", "targetLanguage": "es"], status: 404)
        }
    }

    @Test func aPlainGetIsAskedToUpgrade() async throws {
        try await TestServer.run { server in
            let sessionId = try await server.createSession()
            let response = try await server.http(.GET, "/ws?action=joinSession&sessionId=\(sessionId)&targetLanguage=es")
            #expect(response.code == 426)
            #expect(try await server.http(.GET, "/ws?action=joinSession&sessionId=no-such-100&targetLanguage=es").code == 404)
        }
    }

    /// Refusals without an HTTP status: upgraded, then `error` and close 1008 (a connect without
    /// `action` closes with 1000 unless its credential is the reason: `LegacyClientTests`).
    @Test(arguments: [
        (["action": "joinSession", "targetLanguage": "es"], "INVALID_MESSAGE"),
        (["action": "createSession", "sourceLanguage": "en"], "INVALID_MESSAGE"),
        (["action": "refreshConnection", "role": "judge", "sessionId": "a-b-100"], "INVALID_MESSAGE"),
        (["action": "launchRocket"], "UNKNOWN_ACTION"),
        (["action": "createSession", "sourceLanguage": "xx", "token": "KEY"], "UNSUPPORTED_LANGUAGE"),
        (["action": "createSession", "sourceLanguage": "english", "token": "KEY"], "UNSUPPORTED_LANGUAGE"),
        (["action": "createSession", "sourceLanguage": "en", "token": "KEY", "sampleRate": "44"], "INVALID_AUDIO_FORMAT"),
    ])
    func refusedAfterTheUpgrade(query: [String: String], code: String) async throws {
        try await TestServer.run { server in
            let query = query.mapValues { $0 == "KEY" ? server.keys.speaker : $0 }
            let client = server.connect(query)
            try await client.expectError(code)
            #expect(try await client.closeCode() == .policyViolation)
        }
    }

    @Test func anUnsupportedListenerLanguageIsRefusedAfterTheUpgrade() async throws {
        try await TestServer.run { server in
            let sessionId = try await server.createSession()
            for language in ["de", "zz", "123"] {
                let client = server.connect(["action": "joinSession", "sessionId": sessionId, "targetLanguage": language])
                try await client.expectError("UNSUPPORTED_LANGUAGE")
                #expect(try await client.closeCode() == .policyViolation)
            }
        }
    }

    @Test func aFullSessionRefusesTheNextListener() async throws {
        try await TestServer.run(configure: { $0.maxListenersPerSession = 2 }) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (first, _) = try await server.listener(sessionId)
            let (second, _) = try await server.listener(sessionId, language: "fr")
            let third = server.connect(["action": "joinSession", "sessionId": sessionId, "targetLanguage": "es"])
            let refusal = try await third.expectError("SESSION_FULL")
            #expect(refusal.sessionId == nil || refusal.sessionId == sessionId)
            #expect(try await third.closeCode() == .policyViolation)
            // The others are untouched, and a place that frees up can be taken.
            #expect(try await first.barrier().allSatisfy { $0.type != "error" })
            await second.disconnect()
            let (fourth, _) = try await server.listener(sessionId)
            await fourth.disconnect()
            await first.disconnect()
            await speaker.disconnect()
        }
    }
}
