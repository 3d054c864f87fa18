import DragomanCore
import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import Logging
import NIOCore
import Synchronization
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
        /// Requests for the JWKS, including those answered 503.
        private(set) var fetches = 0
        /// While set, the JWKS answers 503, as a provider that is away.
        private(set) var isDown = false

        func setDown(_ down: Bool) {
            isDown = down
        }

        func publish(_ kid: String) -> ES256PrivateKey {
            let key = ES256PrivateKey()
            published[kid] = key
            return key
        }

        /// Counts a request for the JWKS, answered or not.
        func requested() {
            fetches += 1
        }

        func jwks() throws -> String {
            let keys = try published.map { kid, key -> JSONValue in
                let parameters = try #require(key.publicKey.parameters)
                return ["kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": .string(kid), "x": .string(parameters.x), "y": .string(parameters.y)]
            }
            return String(decoding: try JSONEncoder().encode(JSONValue.object(["keys": .array(keys)])), as: UTF8.self)
        }

        /// A token signed with `key` under `kid`.
        static func token(
            _ key: ES256PrivateKey, kid: String, subject: String = "alice-1234", issuer: String = OIDCSpeakerTests.issuer,
            audience: String = OIDCSpeakerTests.audience, expiresIn: TimeInterval = 600, notBefore: Date? = nil
        ) async throws -> String {
            let signer = JWTKeyCollection()
            await signer.add(ecdsa: key, kid: JWKIdentifier(string: kid))
            let claims = SpeakerClaims(
                issuer: IssuerClaim(value: issuer), subject: SubjectClaim(value: subject), audience: AudienceClaim(value: [audience]),
                expiration: ExpirationClaim(value: Date().addingTimeInterval(expiresIn)), issuedAt: IssuedAtClaim(value: Date()),
                notBefore: notBefore.map(NotBeforeClaim.init(value:)), name: "Alice Example")
            return try await signer.sign(claims, kid: JWKIdentifier(string: kid))
        }

        /// Runs `body` with the JWKS URL of this provider served on a free port.
        func serve(_ body: @escaping @Sendable (URL) async throws -> Void) async throws {
            let router = Router()
            router.get("jwks") { _, _ -> Response in
                await self.requested()
                guard await !self.isDown else { return Response(status: .serviceUnavailable) }
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: try await self.jwks())))
            }
            try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
                try await body(URL(string: "http://127.0.0.1:\(client.port!)/jwks")!)
            }
        }
    }

    static func withServer(
        _ provider: Provider, configure: @escaping @Sendable (inout ServerConfiguration) -> Void = { _ in },
        _ body: @escaping @Sendable (TestServer) async throws -> Void
    ) async throws {
        try await provider.serve { keysURL in
            try await TestServer.run(
                configure: { settings in
                    settings.identity.oidcIssuer = Self.issuer
                    settings.identity.oidcAudience = Self.audience
                    settings.identity.oidcKeysURL = keysURL.absoluteString
                    settings.identity.minimumRefetchInterval = .zero
                    configure(&settings)
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

    /// A verifier of tokens from `provider`'s keys at `url`.
    private static func verifier(_ url: URL, minimumRefetchInterval: Duration, refreshInterval: Duration = .seconds(3_600)) -> OIDCVerifier {
        OIDCVerifier(
            issuer: issuer, audience: audience, keysURL: url, minimumRefetchInterval: minimumRefetchInterval, refreshInterval: refreshInterval,
            logger: Logger(label: "oidc-test"))
    }

    /// What a verifier made of a token.
    enum Verdict: Equatable, Sendable {
        case accepted, refused, unavailable
    }

    static func verdict(_ verifier: OIDCVerifier, _ token: String) async -> Verdict {
        do {
            return try await verifier.speaker(token: token) == nil ? .refused : .accepted
        } catch {
            return .unavailable
        }
    }

    @Test func parallelTokensWithUnknownKeyIdsStartOneFetch() async throws {
        let provider = Provider()
        let key = await provider.publish("key-1")
        var forged: [String] = []
        for index in 0..<20 { forged.append(try await Provider.token(ES256PrivateKey(), kid: "made-up-\(index)")) }
        let tokens = forged
        let genuine = try await Provider.token(key, kid: "key-1")
        try await provider.serve { url in
            let verifier = Self.verifier(url, minimumRefetchInterval: .seconds(1))
            #expect(await Self.verdict(verifier, genuine) == .accepted)
            // Past the throttle, a flood of made-up key ids may start one fetch, not one each.
            try? await Task.sleep(for: .seconds(1.2))
            let verdicts = await withTaskGroup(of: Verdict.self) { group in
                for token in tokens { group.addTask { await Self.verdict(verifier, token) } }
                return await group.reduce(into: []) { $0.append($1) }
            }
            // The provider answered: they are forgeries, not tokens it could not check.
            #expect(verdicts == Array(repeating: .refused, count: tokens.count))
            #expect(await provider.fetches == 2)
        }
    }

    @Test func cachedKeysKeepVerifyingWhileTheProviderIsAway() async throws {
        let provider = Provider()
        let key = await provider.publish("key-1")
        let token = try await Provider.token(key, kid: "key-1")
        try await provider.serve { url in
            // Every use finds the keys due for a refresh.
            let verifier = Self.verifier(url, minimumRefetchInterval: .zero, refreshInterval: .zero)
            #expect(await Self.verdict(verifier, token) == .accepted)
            await provider.setDown(true)
            #expect(await Self.verdict(verifier, token) == .accepted)
            #expect(await provider.fetches >= 1)
        }
    }

    /// Log lines, kept for a test to read.
    final class LogRecord: LogHandler, @unchecked Sendable {
        private let lines = Mutex<[(Logger.Level, String)]>([])
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            lines.withLock { $0.append((event.level, "\(event.message) \(event.metadata ?? [:])")) }
        }

        /// The lines logged at `level`.
        func logged(at level: Logger.Level) -> [String] {
            lines.withLock { $0.filter { $0.0 == level }.map(\.1) }
        }
    }

    @Test("no keys cached and the provider away: tokens not checked (unavailable), one fetch per throttle interval, one clear error line")
    func providerAwayWithoutCachedKeys() async throws {
        let provider = Provider()
        let key = await provider.publish("key-1")
        let token = try await Provider.token(key, kid: "key-1")
        await provider.setDown(true)
        try await provider.serve { url in
            let record = LogRecord()
            let verifier = OIDCVerifier(
                issuer: Self.issuer, audience: Self.audience, keysURL: url, minimumRefetchInterval: .seconds(60),
                logger: Logger(label: "oidc-test") { _ in record })
            let verdicts = await withTaskGroup(of: Verdict.self) { group in
                for _ in 0..<10 { group.addTask { await Self.verdict(verifier, token) } }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(verdicts == Array(repeating: .unavailable, count: 10))
            for _ in 0..<5 { #expect(await Self.verdict(verifier, token) == .unavailable) }
            #expect(await provider.fetches == 1)
            let errors = record.logged(at: .error)
            #expect(errors.count == 1, "\(errors)")
            #expect(errors.first?.contains("could not be fetched") == true && errors.first?.contains(url.absoluteString) == true, "\(errors)")
        }
    }

    @Test("an unreachable JWKS URL: a token is 503 with Retry-After over HTTP and on /ws, and never a failed guess")
    func unreachableKeysURL() async throws {
        let provider = Provider()
        let key = await provider.publish("key-1")
        let token = try await Provider.token(key, kid: "key-1")
        try await TestServer.run(
            configure: { settings in
                settings.identity.oidcIssuer = Self.issuer
                settings.identity.oidcAudience = Self.audience
                // Nothing listens on the discard port.
                settings.identity.oidcKeysURL = "http://127.0.0.1:9/jwks"
                settings.identity.minimumRefetchInterval = .seconds(60)
                settings.failedConnectsPerMinute = 2
            }
        ) { server in
            // The first waits for the fetch (`OIDCVerifier.fetchTimeout`); the next are answered at
            // once. More tries than the allowance of failed guesses: none of them is one.
            for _ in 0..<3 {
                let refused = try await server.http(.POST, "/v1/sessions", key: token, json: ["sourceLanguage": "en", "title": "Signed in"])
                #expect(refused.code == 503, "\(refused)")
                #expect(refused.headers["Retry-After"].first == "5")
                #expect(refused.json?["error"]?["message"]?.stringValue?.contains("sign-in provider") == true, "\(refused)")
                let upgrade = try await server.upgrade(["action": "createSession", "sourceLanguage": "en", "token": token])
                #expect(upgrade.code == 503, "\(upgrade)")
                #expect(upgrade.headers["Retry-After"].first == "5")
            }
            // Keys keep working, from the same address.
            #expect(try await server.http(.GET, "/v1/sessions", key: server.keys.speaker).code == 200)
        }
    }

    @Test("the provider away with its keys cached: a token whose key is not held is 503 and no guess; one the held keys refuse is 401 and counted")
    func providerAwayWithCachedKeys() async throws {
        let provider = Provider()
        let key = await provider.publish("key-1")
        let genuine = try await Provider.token(key, kid: "key-1")
        let rotated = try await Provider.token(ES256PrivateKey(), kid: "key-2")
        let forged = try await Provider.token(ES256PrivateKey(), kid: "key-1")
        try await Self.withServer(provider, configure: { $0.failedConnectsPerMinute = 2 }) { server in
            #expect(try await server.http(.GET, "/v1/sessions", key: genuine).code == 200)
            await provider.setDown(true)
            // A key published after the fetch, maybe: it cannot be told while the provider is away.
            for _ in 0..<3 {
                let unchecked = try await server.http(.GET, "/v1/sessions", key: rotated)
                #expect(unchecked.code == 503, "\(unchecked)")
                #expect(unchecked.headers["Retry-After"].first == "5")
                #expect(try await server.upgrade(["action": "createSession", "sourceLanguage": "en", "token": rotated]).code == 503)
            }
            // The cached keys still verify the genuine token, and refuse the forged one.
            #expect(try await server.http(.GET, "/v1/sessions", key: genuine).code == 200)
            let codes = [
                try await server.http(.GET, "/v1/sessions", key: forged).code,
                try await server.upgrade(["action": "createSession", "sourceLanguage": "en", "token": forged]).code,
                try await server.http(.GET, "/v1/sessions", key: forged).code,
            ]
            // Two failed guesses are the allowance; the third try is refused before it is checked.
            #expect(codes == [401, 401, 429], "\(codes)")
        }
    }

    @Test func aTokenIsNotValidBeforeItsNotBefore() async throws {
        let provider = Provider()
        let key = await provider.publish("key-1")
        let early = try await Provider.token(key, kid: "key-1", notBefore: Date().addingTimeInterval(600))
        let due = try await Provider.token(key, kid: "key-1", notBefore: Date().addingTimeInterval(-60))
        try await provider.serve { url in
            let verifier = Self.verifier(url, minimumRefetchInterval: .zero)
            #expect(await Self.verdict(verifier, early) == .refused)
            #expect(await Self.verdict(verifier, due) == .accepted)
        }
    }
}
