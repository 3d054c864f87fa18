import DragomanCore
import DragomanSpeech
import Testing

@testable import DragomanServer

/// `PUT|GET /v1/sessions/{id}/glossary`, and a session's translations honouring it.
@Suite("Session glossary")
struct GlossaryTests {
    static let body: JSONValue = [
        "terms": [
            ["source": "Dragoman"],
            ["source": "Main Street", "translations": ["es": "Calle Mayor"]],
        ]
    ]

    @Test func theOwnerSetsAndReadsTheGlossaryAndTranslationsHonourIt() async throws {
        let engines = FakeEngines.engines
        try await TestServer.run(engines: engines) { server in
            let sessionId = try await server.createSession()
            let empty = try await server.http(.GET, "/v1/sessions/\(sessionId)/glossary", key: server.keys.speaker)
            #expect(empty.code == 200)
            #expect(empty.json?["terms"] == .array([]))

            let set = try await server.http(.PUT, "/v1/sessions/\(sessionId)/glossary", key: server.keys.speaker, json: Self.body)
            #expect(set.code == 200, "\(set)")
            #expect(set.json == Self.body)
            let read = try await server.http(.GET, "/v1/sessions/\(sessionId)/glossary", key: server.keys.speaker)
            #expect(read.json == Self.body)

            // The fake translator prefixes "[es] "; the session's glossary is applied around it.
            let translated = try await engines.forSession(sessionId).translator.translate("Dragoman is on main street", from: "en", to: "es")
            #expect(translated == "[es] Dragoman is on Calle Mayor")
            let french = try await engines.forSession(sessionId).translator.translate("Dragoman is on Main Street", from: "en", to: "fr")
            #expect(french == "[fr] Dragoman is on Main Street")
            let otherSession = try await engines.forSession("other-session-1").translator.translate("Main Street", from: "en", to: "es")
            #expect(otherSession == "[es] Main Street")
        }
    }

    @Test("a glossary is bounded: 413 past its size, 400 for a translation too long or keyed by something not a language tag")
    func aGlossaryIsBounded() async throws {
        try await TestServer.run { server in
            let sessionId = try await server.createSession()
            let path = "/v1/sessions/\(sessionId)/glossary"
            let long = String(repeating: "x", count: GlossaryController.maximumTermLength)
            let huge = JSONValue.array(
                (0..<GlossaryController.maximumTerms).map { _ in
                    ["source": .string(long), "translations": ["es": .string(long), "fr": .string(long), "ca": .string(long)]]
                })
            let tooBig = try await server.http(.PUT, path, key: server.keys.speaker, json: ["terms": huge])
            #expect(tooBig.code == 413, "\(tooBig)")
            #expect(tooBig.json?["error"]?["message"]?.stringValue?.contains("KiB") == true, "\(tooBig)")
            let tooLong = try await server.http(
                .PUT, path, key: server.keys.speaker, json: ["terms": [["source": "Dragoman", "translations": ["es": .string(long + "x")]]]])
            #expect(tooLong.code == 400)
            let notALanguage = try await server.http(
                .PUT, path, key: server.keys.speaker, json: ["terms": [["source": "Dragoman", "translations": ["not a language!": "Dragomán"]]]])
            #expect(notALanguage.code == 400, "\(notALanguage)")
            let manyLanguages = JSONValue.object(
                Dictionary(uniqueKeysWithValues: (0...GlossaryController.maximumLanguagesPerTerm).map { ("x\($0)", JSONValue.string("t")) }))
            #expect(
                try await server.http(.PUT, path, key: server.keys.speaker, json: ["terms": [["source": "Dragoman", "translations": manyLanguages]]]).code
                    == 400)
            #expect(try await server.http(.GET, path, key: server.keys.speaker).json?["terms"] == .array([]))
        }
    }

    @Test("a glossary is kept in the store and goes when its session ends")
    func aGlossaryGoesWithItsSession() async throws {
        try await TestServer.run { server in
            let sessionId = try await server.createSession()
            let path = "/v1/sessions/\(sessionId)/glossary"
            #expect(try await server.http(.PUT, path, key: server.keys.speaker, json: Self.body).code == 200)
            #expect(try await server.store.glossary(sessionId: sessionId) != nil)
            let ended = try await server.http(.DELETE, "/v1/sessions/\(sessionId)", key: server.keys.speaker)
            #expect(ended.code == 200 || ended.code == 204, "\(ended)")
            #expect(try await RestartPersistenceTests.eventually { try await server.store.glossary(sessionId: sessionId) == nil })
        }
    }

    @Test func onlyTheOwnerWithAWellFormedGlossary() async throws {
        try await TestServer.run { server in
            let sessionId = try await server.createSession()
            let path = "/v1/sessions/\(sessionId)/glossary"
            #expect(try await server.http(.GET, path).code == 401)
            #expect(try await server.http(.PUT, path, key: server.keys.otherSpeaker, json: Self.body).code == 403)
            #expect(try await server.http(.GET, "/v1/sessions/no-such-session-1/glossary", key: server.keys.speaker).code == 404)
            #expect(try await server.http(.PUT, path, key: server.keys.speaker, json: ["terms": "Dragoman"]).code == 400)
            #expect(try await server.http(.PUT, path, key: server.keys.speaker, json: ["terms": [["source": " "]]]).code == 400)
            let tooMany = JSONValue.array((0...GlossaryController.maximumTerms).map { ["source": .string("term \($0)")] })
            #expect(try await server.http(.PUT, path, key: server.keys.speaker, json: ["terms": tooMany]).code == 400)
        }
    }
}
