import DragomanCore
import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import NIOCore
import Testing

@testable import DragomanServer

/// Speakers who sign in with an OpenID Connect provider: a local provider (an ES256 key made
/// here, its JWKS served over HTTP) issues the tokens.
@Suite("OIDC speakers")
struct OIDCSpeakerTests {
    static let issuer = "https://id.example.org/realms/venue"
    static let audience = "dragoman"

    /// A provider: signing keys, and the JWKS it publishes (which a test may change to rotate keys).
    actor Provider {
        private(set) var published: [String: ES256PrivateKey] = [:]
        private(set) var fetches = 0

        func publish(_ kid: String) -> ES256PrivateKey {
            let key = ES256PrivateKey()
            published[kid] = key
            return key
        }

        func jwks() throws -> String {
            fetches += 1
            let keys = try published.map { kid, key -> JSONValue in
                let parameters = try #require(key.publicKey.parameters)
                return ["kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": .string(kid), "x": .string(parameters.x), "y": .string(parameters.y)]
            }
            return String(decoding: try JSONEncoder().encode(JSONValue.object(["keys": .array(keys)])), as: UTF8.self)
        }

        /// A token signed with `key` under `kid`.
        static func token(
            _ key: ES256PrivateKey, kid: String, subject: String = "alice-1234", issuer: String = OIDCSpeakerTests.issuer,
            audience: String = OIDCSpeakerTests.audience, expiresIn: TimeInterval = 600
        ) async throws -> String {
            let signer = JWTKeyCollection()
            await signer.add(ecdsa: key, kid: JWKIdentifier(string: kid))
            let claims = SpeakerClaims(
                issuer: IssuerClaim(value: issuer), subject: SubjectClaim(value: subject), audience: AudienceClaim(value: [audience]),
                expiration: ExpirationClaim(value: Date().addingTimeInterval(expiresIn)), issuedAt: IssuedAtClaim(value: Date()), name: "Alice Example")
            return try await signer.sign(claims, kid: JWKIdentifier(string: kid))
        }

        /// Runs `body` with the JWKS URL of this provider served on a free port.
        func serve(_ body: @escaping @Sendable (URL) async throws -> Void) async throws {
            let router = Router()
            router.get("jwks") { _, _ -> Response in
                Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: try await self.jwks())))
            }
            try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
                try await body(URL(string: "http://127.0.0.1:\(client.port!)/jwks")!)
            }
        }
    }

    static func withServer(_ provider: Provider, _ body: @escaping @Sendable (TestServer) async throws -> Void) async throws {
        try await provider.serve { keysURL in
            try await TestServer.run(
                configure: { settings in
                    settings.identity.oidcIssuer = Self.issuer
                    settings.identity.oidcAudience = Self.audience
                    settings.identity.oidcKeysURL = keysURL.absoluteString
                    settings.identity.minimumRefetchInterval = .zero
                }, body)
        }
    }

    @Test func aProvidersTokenIsASpeakerCredentialOverHTTPAndWebSocketAndKeysStillWork() async throws {
        let provider = Provider()
        let key = await provider.publish("key-1")
        let token = try await Provider.token(key, kid: "key-1")
        try await Self.withServer(provider) { server in
            let created = try await server.http(.POST, "/v1/sessions", key: token, json: ["sourceLanguage": "en", "title": "Signed in"])
            #expect(created.code == 201, "\(created)")
            let mine = try await server.http(.GET, "/v1/sessions", key: token)
            #expect(mine.json?["sessions"].map { if case .array(let items) = $0 { items.count } else { 0 } } == 1)
            // Another token of the same person owns the same sessions.
            let again = try await Provider.token(key, kid: "key-1")
            #expect(try await server.http(.GET, "/v1/sessions", key: again).json == mine.json)

            let (speaker, _, _) = try await server.speaker(key: token)
            speaker.send(action: "heartbeat")
            try await speaker.expect("heartbeatAck")
            // Keys keep working beside tokens.
            #expect(try await server.http(.GET, "/v1/sessions", key: server.keys.speaker).code == 200)
        }
    }

    @Test func aTokenOfAnotherIssuerOrAudienceExpiredOrSignedByAnUnpublishedKeyIsRefused() async throws {
        let provider = Provider()
        let key = await provider.publish("key-1")
        let refused = [
            try await Provider.token(key, kid: "key-1", issuer: "https://elsewhere.example.org"),
            try await Provider.token(key, kid: "key-1", audience: "another-app"),
            try await Provider.token(key, kid: "key-1", expiresIn: -60),
            try await Provider.token(ES256PrivateKey(), kid: "key-1"),
            try await Provider.token(ES256PrivateKey(), kid: "never-published"),
        ]
        try await Self.withServer(provider) { server in
            for token in refused {
                let answer = try await server.http(.POST, "/v1/sessions", key: token, json: ["sourceLanguage": "en"])
                #expect(answer.code == 401)
            }
            let upgrade = try await server.upgrade(["action": "createSession", "sourceLanguage": "en", "token": refused[0]])
            #expect(upgrade.code == 401)
        }
    }

    @Test func keysAreCachedAndARotatedKeyIsFetched() async throws {
        let provider = Provider()
        let first = await provider.publish("key-1")
        try await Self.withServer(provider) { server in
            for _ in 0..<3 {
                let answer = try await server.http(.GET, "/v1/sessions", key: try await Provider.token(first, kid: "key-1"))
                #expect(answer.code == 200)
            }
            let fetchedOnce = await provider.fetches
            #expect(fetchedOnce == 1)
            // The provider rotates: a new key, published after Dragoman fetched the set.
            let second = await provider.publish("key-2")
            let rotated = try await server.http(.GET, "/v1/sessions", key: try await Provider.token(second, kid: "key-2"))
            #expect(rotated.code == 200)
            let fetchedTwice = await provider.fetches
            #expect(fetchedTwice == 2)
        }
    }
}
