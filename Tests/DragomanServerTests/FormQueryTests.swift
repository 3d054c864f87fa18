import Foundation
import Testing

@testable import DragomanServer

/// Query strings are read as forms and `URLSearchParams` write them: `+` is a space, everywhere.
@Suite("Form-encoded queries")
struct FormQueryTests {
    @Test func plusIsASpaceAndPercentEscapesAreDecoded() {
        let query = FormQuery.decode("passcode=river+walk&title=Community+Town+Hall&plus=%2B1&sign=a%3Db%26c&accent=caf%C3%A9")
        #expect(query["passcode"] == "river walk")
        #expect(query["title"] == "Community Town Hall")
        #expect(query["plus"] == "+1")
        #expect(query["sign"] == "a=b&c")
        #expect(query["accent"] == "café")
    }

    @Test func theFirstOfARepeatedNameWinsAndOddPairsAreKeptOrSkipped() {
        let query = FormQuery.decode("a=1&a=2&empty=&flag&=nameless&&bad=%zz&space%20name=x")
        #expect(query["a"] == "1")
        #expect(query["empty"] == "")
        #expect(query["flag"] == "")
        #expect(query[""] == nil)
        #expect(query["bad"] == "%zz")
        #expect(query["space name"] == "x")
        #expect(query.count == 5)
    }

    @Test func aPasscodeWithASpaceOpensTheSessionOnTheWebSocketAndTheTranscript() async throws {
        try await TestServer.run { server in
            let sessionId = try await server.createSession(["sourceLanguage": "en", "passcode": "river walk"])
            // As the listener page sends it (URLSearchParams): a `+` for the space.
            let listener = WebSocketTestClient(port: server.port, path: "/ws?action=joinSession&sessionId=\(sessionId)&targetLanguage=es&passcode=river+walk")
            try await listener.expect("sessionJoined")
            await listener.disconnect()
            #expect(try await server.http(.GET, "/v1/sessions/\(sessionId)/transcript?language=en&passcode=river+walk").code == 200)
            #expect(try await server.http(.GET, "/v1/sessions/\(sessionId)/transcript?language=en&passcode=river%20walk").code == 200)
            #expect(try await server.http(.GET, "/v1/sessions/\(sessionId)/transcript?language=en&passcode=riverwalk").code == 401)
            // Outside the URL, in a header, as it is not form-encoded: the space as it is.
            let path = "/v1/sessions/\(sessionId)/transcript?language=en"
            #expect(try await server.http(.GET, path, headers: [("Dragoman-Passcode", "river walk")]).code == 200)
            #expect(try await server.http(.GET, path, headers: [("Dragoman-Passcode", "riverwalk")]).code == 401)
            #expect(try await server.http(.GET, path).code == 401)
        }
    }

    @Test func aTitleGivenOnTheWebSocketKeepsItsSpaces() async throws {
        try await TestServer.run { server in
            let token = try #require(server.keys.speaker.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
            let speaker = WebSocketTestClient(port: server.port, path: "/ws?action=createSession&sourceLanguage=en&title=Community+Town+Hall&token=\(token)")
            let created = try await speaker.expect("sessionCreated")
            let sessionId = try #require(created.sessionId)
            let (listener, joined) = try await server.listener(sessionId)
            #expect(joined["title"]?.stringValue == "Community Town Hall")
            await listener.disconnect()
            await speaker.disconnect()
        }
    }
}
