import DragomanCore
import Foundation
import Testing

@testable import DragomanServer

/// What one key can make (issue 14, item 14): a bounded title over `/ws` as over HTTP, and a
/// bounded number of open sessions.
@Suite("Session bounds")
struct SessionBoundsTests {
    @Test("a title over 200 characters is refused on /ws as it is over HTTP")
    func titleIsBoundedOnWebSocket() async throws {
        try await TestServer.run { server in
            let long = server.connect([
                "action": "createSession", "sourceLanguage": "en", "token": server.keys.speaker, "title": String(repeating: "t", count: 201),
            ])
            try await long.expectError("INVALID_MESSAGE")
            #expect(try await long.closeCode() == .policyViolation)
            let (fits, _, created) = try await server.speaker(extra: ["title": String(repeating: "t", count: 200)])
            #expect(created["title"]?.stringValue?.count == 200)
            await fits.disconnect()
            let http = try await server.http(
                .POST, "/v1/sessions", key: server.keys.speaker, json: ["sourceLanguage": "en", "title": .string(String(repeating: "t", count: 201))])
            #expect(http.code == 400)
        }
    }

    @Test("a key has at most maxOpenSessionsPerKey sessions open; ending one makes room; other keys are not affected")
    func openSessionsPerKey() async throws {
        try await TestServer.run(configure: { $0.maxOpenSessionsPerKey = 2 }) { server in
            let first = try await server.createSession()
            _ = try await server.createSession()
            let third = try await server.http(.POST, "/v1/sessions", key: server.keys.speaker, json: ["sourceLanguage": "en"])
            #expect(third.code == 429, "\(third)")
            let overWebSocket = server.connect(["action": "createSession", "sourceLanguage": "en", "token": server.keys.speaker])
            try await overWebSocket.expectError("RATE_LIMIT_EXCEEDED")
            #expect(try await server.http(.POST, "/v1/sessions", key: server.keys.otherSpeaker, json: ["sourceLanguage": "en"]).code == 201)
            #expect(try await server.http(.DELETE, "/v1/sessions/\(first)", key: server.keys.speaker).code == 204)
            #expect(try await server.http(.POST, "/v1/sessions", key: server.keys.speaker, json: ["sourceLanguage": "en"]).code == 201)
        }
    }
}
