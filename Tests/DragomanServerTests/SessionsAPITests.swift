import DragomanCore
import Foundation
import Testing

/// The HTTP API: `/v1/sessions`, `/v1/languages`, `/healthz`, `/readyz`.
@Suite("HTTP API")
struct SessionsAPITests {
    @Test func createASession() async throws {
        try await TestServer.run { server in
            let response = try await server.http(
                .POST, "/v1/sessions", key: server.keys.speaker,
                json: [
                    "title": "  Town hall  ", "sourceLanguage": "en-US", "targetLanguages": ["es", "fr"], "passcode": "1357", "qualityTier": "premium",
                ])
            #expect(response.code == 201, "\(response)")
            let body = try #require(response.json)
            let sessionId = try #require(body["sessionId"]?.stringValue)
            #expect(SessionID.normalize(sessionId) == sessionId)
            #expect(response.headers["Location"] == ["/v1/sessions/\(sessionId)"])
            #expect(body["title"]?.stringValue == "Town hall")
            #expect(body["sourceLanguage"]?.stringValue == "en")
            #expect(body["targetLanguages"] == ["es", "fr"])
            #expect(body["status"]?.stringValue == "created")
            #expect(body["passcodeRequired"]?.boolValue == true)
            #expect(body["qualityTier"]?.stringValue == "premium")
            #expect(body["createdAt"]?.stringValue.flatMap { ISO8601DateFormatter().date(from: $0) } != nil)
            #expect(body["joinUrl"]?.stringValue == "http://127.0.0.1:\(server.port)/s/\(sessionId)")
            #expect(body["passcode"] == nil)
        }
    }

    @Test func aMinimalSessionHasDefaults() async throws {
        try await TestServer.run { server in
            let response = try await server.http(.POST, "/v1/sessions", key: server.keys.speaker, json: ["sourceLanguage": "en"])
            #expect(response.code == 201)
            #expect(response.json?["title"]?.stringValue == "Live session")
            #expect(response.json?["passcodeRequired"]?.boolValue == false)
            #expect(response.json?["targetLanguages"] == [])
            #expect(response.json?["qualityTier"]?.stringValue == "standard")
        }
    }

    @Test func joinLinksUseThePublicURL() async throws {
        try await TestServer.run(configure: { $0.publicURL = "https://talks.example.org/" }) { server in
            let response = try await server.http(.POST, "/v1/sessions", key: server.keys.speaker, json: ["sourceLanguage": "en"])
            let sessionId = try #require(response.json?["sessionId"]?.stringValue)
            #expect(response.json?["joinUrl"]?.stringValue == "https://talks.example.org/s/\(sessionId)")
        }
    }

    @Test func creatingNeedsAValidKey() async throws {
        try await TestServer.run { server in
            #expect(try await server.http(.POST, "/v1/sessions", json: ["sourceLanguage": "en"]).code == 401)
            #expect(try await server.http(.POST, "/v1/sessions", key: "dgk_nope", json: ["sourceLanguage": "en"]).code == 401)
            let basic = try await server.http(.POST, "/v1/sessions", headers: [("Authorization", "Basic YWxpY2U6eA==")], json: ["sourceLanguage": "en"])
            #expect(basic.code == 401)
            #expect(basic.json?["error"]?["message"]?.stringValue?.isEmpty == false)
        }
    }

    @Test(arguments: [
        "not json", "{}", #"{"sourceLanguage": 5}"#, #"{"sourceLanguage": "xx"}"#, #"{"sourceLanguage": "es"}"#,
        #"{"sourceLanguage": "en", "targetLanguages": ["de"]}"#, #"{"sourceLanguage": "en", "targetLanguages": "es"}"#,
    ])
    func aBadBodyIs400(body: String) async throws {
        try await TestServer.run { server in
            let response = try await HTTPTestClient.request(
                port: server.port, method: .POST, path: "/v1/sessions",
                headers: [("Authorization", "Bearer \(server.keys.speaker)"), ("Content-Type", "application/json")], body: body)
            #expect(response.code == 400, "\(response)")
            #expect(response.json?["error"]?["message"]?.stringValue?.isEmpty == false)
        }
    }

    @Test func aTitleOver200CharactersIs400() async throws {
        try await TestServer.run { server in
            let long = String(repeating: "a", count: 201)
            let response = try await server.http(.POST, "/v1/sessions", key: server.keys.speaker, json: ["sourceLanguage": "en", "title": .string(long)])
            #expect(response.code == 400)
        }
    }

    @Test func showASessionToAnyone() async throws {
        try await TestServer.run { server in
            let sessionId = try await server.createSession(["sourceLanguage": "en", "title": "Open day", "passcode": "1"])
            let response = try await server.http(.GET, "/v1/sessions/\(sessionId)")
            #expect(response.code == 200)
            let body = try #require(response.json)
            #expect(body.keys == ["sessionId", "title", "sourceLanguage", "status", "passcodeRequired", "languages"])
            #expect(body["passcodeRequired"]?.boolValue == true)
            guard case .array(let languages) = body["languages"] else {
                Issue.record("\(body)")
                return
            }
            #expect(languages.compactMap { $0["code"]?.stringValue } == ["ca", "en", "es", "fr"])
            #expect(languages.first?.keys == ["code", "name", "nativeName"])
            // A typed id finds it too.
            #expect(try await server.http(.GET, "/v1/sessions/\(sessionId.uppercased())").code == 200)
            #expect(try await server.http(.GET, "/v1/sessions/no-such-100").code == 404)
            #expect(try await server.http(.GET, "/v1/sessions/not%20an%20id").code == 404)
        }
    }

    /// The speaker's name, when given, is what listeners see beside the title: in the session's
    /// public facts and in `sessionJoined`; without one, neither has the field.
    @Test func aSpeakerNameIsShownToListeners() async throws {
        try await TestServer.run { server in
            let named = try await server.createSession(["sourceLanguage": "en", "title": "Open day", "speakerName": "  Ada Lovelace  "])
            #expect(try await server.http(.GET, "/v1/sessions/\(named)").json?["speakerName"]?.stringValue == "Ada Lovelace")
            let (listener, joined) = try await server.listener(named)
            #expect(joined["speakerName"]?.stringValue == "Ada Lovelace")
            listener.close()
            let unnamed = try await server.createSession(["sourceLanguage": "en", "speakerName": " "])
            #expect(try await server.http(.GET, "/v1/sessions/\(unnamed)").json?.keys.contains("speakerName") == false)
            let (other, joinedUnnamed) = try await server.listener(unnamed)
            #expect(!joinedUnnamed.keys.contains("speakerName"))
            other.close()
            let long = String(repeating: "a", count: 101)
            let response = try await server.http(.POST, "/v1/sessions", key: server.keys.speaker, json: ["sourceLanguage": "en", "speakerName": .string(long)])
            #expect(response.code == 400)
        }
    }

    @Test func listOwnSessions() async throws {
        try await TestServer.run { server in
            #expect(try await server.http(.GET, "/v1/sessions").code == 401)
            #expect(IsolationTests.ids(try await server.http(.GET, "/v1/sessions", key: server.keys.speaker)) == [])
            let first = try await server.createSession()
            let second = try await server.createSession()
            let ended = try await server.createSession()
            _ = try await server.http(.DELETE, "/v1/sessions/\(ended)", key: server.keys.speaker)
            let list = try await server.http(.GET, "/v1/sessions", key: server.keys.speaker)
            #expect(list.code == 200)
            #expect(Set(IsolationTests.ids(list)) == [first, second])
            guard case .array(let sessions) = list.json?["sessions"] else { return }
            for session in sessions {
                #expect(session.keys.isSuperset(of: ["sessionId", "title", "sourceLanguage", "status", "joinUrl", "createdAt"]))
            }
        }
    }

    @Test func endASession() async throws {
        try await TestServer.run { server in
            let sessionId = try await server.createSession()
            #expect(try await server.http(.DELETE, "/v1/sessions/\(sessionId)").code == 401)
            #expect(try await server.http(.DELETE, "/v1/sessions/\(sessionId)", key: server.keys.otherSpeaker).code == 403)
            let ended = try await server.http(.DELETE, "/v1/sessions/\(sessionId)", key: server.keys.speaker)
            #expect(ended.code == 204)
            #expect(ended.body.isEmpty)
            #expect(try await server.status(of: sessionId) == "ended")
            #expect(try await server.http(.DELETE, "/v1/sessions/\(sessionId)", key: server.keys.speaker).code == 410)
            #expect(try await server.http(.DELETE, "/v1/sessions/no-such-100", key: server.keys.speaker).code == 404)
        }
    }

    @Test func languages() async throws {
        try await TestServer.run { server in
            let response = try await server.http(.GET, "/v1/languages")
            #expect(response.code == 200)
            guard case .array(let sources) = response.json?["sources"], case .array(let targets) = response.json?["targets"] else {
                Issue.record("\(response)")
                return
            }
            #expect(sources.compactMap { $0["code"]?.stringValue } == ["en"])
            #expect(targets.compactMap { $0["code"]?.stringValue } == ["ca", "es", "fr"])
            #expect(sources.first?["name"]?.stringValue == "English")
            #expect(targets.first { $0["code"]?.stringValue == "es" }?["nativeName"]?.stringValue == "español")
        }
    }

    @Test func health() async throws {
        try await TestServer.run { server in
            let live = try await server.http(.GET, "/healthz")
            #expect(live.code == 200)
            #expect(live.json == ["status": "ok"])
            let ready = try await server.http(.GET, "/readyz")
            #expect(ready.code == 200)
            #expect(ready.json?["status"]?.stringValue == "ready")
        }
    }

    @Test func unknownRoutesAre404() async throws {
        try await TestServer.run { (server) async throws in
            #expect(try await server.http(.GET, "/v1/nothing-here").code == 404)
            #expect(try await server.http(.GET, "/v2/sessions").code == 404)
        }
    }
}
