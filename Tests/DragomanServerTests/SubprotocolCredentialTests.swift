import Foundation
import Testing

/// Credentials outside the URL (issue 14, item 5; docs/protocol.md, "Credentials outside the
/// URL"): the speaker key, the interpreter token and the passcode in `Sec-WebSocket-Protocol`,
/// with real WebSocket clients.
@Suite("Credentials in Sec-WebSocket-Protocol")
struct SubprotocolCredentialTests {
    /// The header a client sends: `dragoman` and one entry per credential.
    static func offer(_ credentials: [String: String]) -> (String, String) {
        let entries = credentials.sorted { $0.key < $1.key }.map { name, value in
            let base64url = Data(value.utf8).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            return "dragoman.\(name).\(base64url)"
        }
        return ("Sec-WebSocket-Protocol", (["dragoman"] + entries).joined(separator: ", "))
    }

    @Test("a speaker key in the header opens a session; the answer names dragoman alone, never the key")
    func speakerKey() async throws {
        try await TestServer.run { server in
            let speaker = server.connect(["action": "createSession", "sourceLanguage": "en"], headers: [Self.offer(["token": server.keys.speaker])])
            let sessionId = try #require(try await speaker.expect("sessionCreated").sessionId)
            #expect(try await speaker.acceptedHeader("Sec-WebSocket-Protocol") == "dragoman")
            // The speaker reattaches the same way.
            let again = server.connect(
                ["action": "refreshConnection", "role": "speaker", "sessionId": sessionId], headers: [Self.offer(["token": server.keys.speaker])])
            #expect(try await again.expect("connectionRefreshComplete").sessionId == sessionId)
            await again.disconnect()
            await speaker.disconnect()
            // A wrong key is refused on the upgrade, as in the query.
            #expect(
                try await server.upgrade(["action": "createSession", "sourceLanguage": "en"], headers: [Self.offer(["token": "dgk_wrong"])]).code
                    == 401)
        }
    }

    @Test("a passcode in the header lets a listener in; a wrong one is 401")
    func passcode() async throws {
        try await TestServer.run { server in
            let sessionId = try await server.createSession(["sourceLanguage": "en", "title": "Closed", "passcode": "river walk"])
            let join = ["action": "joinSession", "sessionId": sessionId, "targetLanguage": "es"]
            #expect(try await server.upgrade(join, headers: [Self.offer(["passcode": "0000"])]).code == 401)
            let listener = server.connect(join, headers: [Self.offer(["passcode": "river walk"])])
            #expect(try await listener.expect("sessionJoined").sessionId == sessionId)
            #expect(try await listener.acceptedHeader("Sec-WebSocket-Protocol") == "dragoman")
            await listener.disconnect()
        }
    }

    @Test("an interpreter token in the header connects the interpreter")
    func interpreterToken() async throws {
        try await TestServer.run { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (token, id) = try await InterpreterTests.invite(server, sessionId)
            let interpreter = server.connect(["action": "interpretSession", "sessionId": sessionId], headers: [Self.offer(["token": token])])
            #expect(try await interpreter.expect("interpreterJoined")["interpreterId"]?.stringValue == id)
            await interpreter.disconnect()
            await speaker.disconnect()
        }
    }

    @Test("an unreadable entry, or a credential given in both places, is 400; no offer, no subprotocol in the answer")
    func malformed() async throws {
        try await TestServer.run { server in
            let create = ["action": "createSession", "sourceLanguage": "en"]
            for header in ["dragoman, dragoman.token.!!!", "dragoman, dragoman.title.VGFsaw", "dragoman, dragoman.token"] {
                let refused = try await server.upgrade(create, headers: [("Sec-WebSocket-Protocol", header)])
                #expect(refused.code == 400, "\(header): \(refused)")
            }
            var both = create
            both["token"] = server.keys.speaker
            #expect(try await server.upgrade(both, headers: [Self.offer(["token": server.keys.speaker])]).code == 400)
            // The query form is unchanged, and a client that offers nothing is answered with nothing.
            let (speaker, _, _) = try await server.speaker()
            #expect(try await speaker.acceptedHeader("Sec-WebSocket-Protocol") == nil)
            await speaker.disconnect()
        }
    }
}
