import DragomanCore
import Foundation
import Testing

@testable import DragomanServer

/// Session ids, passcodes and transcripts cannot be swept over HTTP (issue 14, item 1): failed
/// lookups and wrong passcodes on every route count against the allowance of failed joins.
@Suite("Failed guesses over HTTP")
struct GuessLimitTests {
    @Test("404s of session ids and wrong passcodes on every route share /ws's allowance; past it 429 with Retry-After")
    func lookupsAndPasscodesAreLimited() async throws {
        let clock = ManualClock()
        try await TestServer.run(configure: { $0.failedConnectsPerMinute = 6 }, clock: clock) { server in
            let guarded = try await server.createSession(key: server.keys.speaker, ["sourceLanguage": "en", "passcode": "4321"])
            let unknown = "golden-eagle-101"
            #expect(try await server.http(.GET, "/v1/sessions/\(unknown)").code == 404)
            #expect(try await server.http(.GET, "/v1/sessions/\(unknown)/transcript").code == 404)
            #expect(try await server.http(.GET, "/v1/sessions/\(unknown)/qr.svg").code == 404)
            #expect(try await server.http(.GET, "/v1/sessions/\(guarded)/transcript?passcode=0000").code == 401)
            #expect(try await server.http(.GET, "/v1/sessions/\(guarded)/transcript?passcode=0001").code == 401)
            #expect(try await server.upgrade(["action": "joinSession", "sessionId": unknown, "targetLanguage": "es"]).code == 404)

            // Six failures: the address must wait, on every route, even for a right answer.
            for path in ["/v1/sessions/\(guarded)", "/v1/sessions/\(guarded)/transcript?passcode=4321", "/v1/sessions/\(guarded)/qr.svg"] {
                let refused = try await server.http(.GET, path)
                #expect(refused.code == 429, "\(path): \(refused)")
                let wait = try #require(refused.headers["Retry-After"].first.flatMap { Int($0) })
                #expect((1...10).contains(wait))
            }
            let join = try await server.upgrade(["action": "joinSession", "sessionId": guarded, "targetLanguage": "es", "passcode": "4321"])
            #expect(join.code == 429)
            #expect(join.headers["Retry-After"].first != nil)

            // A minute's sixth later, one more try.
            clock.advance(by: 10)
            #expect(try await server.http(.GET, "/v1/sessions/\(guarded)/transcript?passcode=4321").code == 200)
            #expect(try await server.http(.GET, "/v1/sessions/\(unknown)").code == 404)
            #expect(try await server.http(.GET, "/v1/sessions/\(guarded)").code == 429)
        }
    }

    @Test("a wrong speaker key on the HTTP API counts as a failed guess")
    func wrongKeysAreLimited() async throws {
        try await TestServer.run(configure: { $0.failedConnectsPerMinute = 2 }) { server in
            for wrong in ["not-a-key", "still-not-a-key"] {
                let refused = try await server.http(.GET, "/v1/sessions", key: wrong)
                #expect(refused.code == 401)
            }
            let limited = try await server.http(.GET, "/v1/sessions", key: server.keys.speaker)
            #expect(limited.code == 429)
        }
    }

    @Test("transcriptOpenHours after a session ended, its transcript needs the owner's key (or the passcode of one that has one)")
    func oldTranscriptsAreNotPublic() async throws {
        for hours in [24.0, 0] {
            try await TestServer.run(configure: { $0.transcriptOpenHours = hours }) { server in
                let open = try await server.createSession()
                let guarded = try await server.createSession(key: server.keys.speaker, ["sourceLanguage": "en", "passcode": "4321"])
                #expect(try await server.http(.GET, "/v1/sessions/\(open)/transcript").code == 200)
                for id in [open, guarded] {
                    #expect(try await server.http(.DELETE, "/v1/sessions/\(id)", key: server.keys.speaker).code == 204)
                }
                let expected = hours == 0 ? 401 : 200
                let anyone = try await server.http(.GET, "/v1/sessions/\(open)/transcript")
                #expect(anyone.code == expected, "\(anyone)")
                let otherKey = try await server.http(.GET, "/v1/sessions/\(open)/transcript", key: server.keys.otherSpeaker)
                #expect(otherKey.code == expected)
                #expect(try await server.http(.GET, "/v1/sessions/\(open)/transcript", key: server.keys.speaker).code == 200)
                #expect(try await server.http(.GET, "/v1/sessions/\(guarded)/transcript?passcode=4321").code == 200)
                #expect(try await server.http(.GET, "/v1/sessions/\(guarded)/transcript", key: server.keys.speaker).code == 200)
            }
        }
    }
}
