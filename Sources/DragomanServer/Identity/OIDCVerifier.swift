import AsyncHTTPClient
import DragomanStore
import Foundation
import JWTKit
import Logging
import NIOCore

/// Speakers signed in with any OpenID Connect provider: their ID or access token (a JWT) is
/// accepted wherever a speaker key is. The token must be signed by a key of the provider's JWKS,
/// come from the configured issuer, name the configured audience and not have expired.
///
/// The JWKS is fetched on first use and kept; it is fetched again when it is older than
/// `refreshInterval`, and at once (at most every `minimumRefetchInterval`) when a token names
/// a key it does not hold: that is how providers rotate keys. One fetch runs at a time, and the
/// throttle counts from when it started, so a flood of forged tokens with made-up key ids
/// starts one fetch, not one each. While the provider cannot be reached, the keys already held
/// keep verifying the tokens they signed (and refusing the others: 401); a token whose key is
/// not held cannot be told genuine or forged then, so it is answered
/// `IdentityProviderUnavailable` (503 with `Retry-After`, not a failed guess). One error line is
/// logged per failed fetch, and fetches stay throttled.
actor OIDCVerifier {
    let issuer: String
    let audience: String
    let keysURL: URL
    private let minimumRefetchInterval: Duration
    private let refreshInterval: Duration
    private let logger: Logger
    private var keys: JWTKeyCollection?
    /// The key ids of the set fetched.
    private var keyIDs: Set<String> = []
    private var fetchedAt: ContinuousClock.Instant?
    /// When the last fetch started, successful or not.
    private var attemptedAt: ContinuousClock.Instant?
    /// The fetch under way, which every caller that needs fresh keys meanwhile waits for.
    private var fetch: Task<(JWTKeyCollection, Set<String>), any Error>?
    /// Whether the last fetch failed: the provider is away until one succeeds.
    private var providerAway = false

    init(
        issuer: String, audience: String, keysURL: URL, minimumRefetchInterval: Duration, refreshInterval: Duration = .seconds(3_600),
        logger: Logger
    ) {
        self.issuer = issuer
        self.audience = audience
        self.keysURL = keysURL
        self.minimumRefetchInterval = minimumRefetchInterval
        self.refreshInterval = refreshInterval
        self.logger = logger
    }

    /// Whether `credential` is a JWT rather than a Dragoman key: three base64url parts.
    nonisolated static func looksLikeJWT(_ credential: String) -> Bool {
        let parts = credential.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" } }
    }

    /// The speaker a token identifies, as a key record (`oidc:` and the subject, so each person
    /// owns their sessions across tokens); `nil` when the token is not valid.
    /// - Throws: `IdentityProviderUnavailable` when the provider cannot be reached and no key
    ///   that could check the token is held.
    func speaker(token: String) async throws(IdentityProviderUnavailable) -> KeyRecord? {
        do {
            let claims = try await verify(token)
            return KeyRecord(id: "oidc:\(claims.subject.value)", name: claims.displayName, role: .speaker, createdAt: claims.issuedAt?.value ?? Date())
        } catch let unavailable as IdentityProviderUnavailable {
            logger.notice("OIDC token not checked: the provider is away and its key is not held", metadata: ["kid": "\(Self.keyID(of: token) ?? "none")"])
            throw unavailable
        } catch {
            logger.notice("OIDC token refused", metadata: ["error": "\(error)"])
            return nil
        }
    }

    private func verify(_ token: String) async throws -> SpeakerClaims {
        var keys: JWTKeyCollection
        do {
            keys = try await currentKeys()
        } catch {
            throw IdentityProviderUnavailable()
        }
        // A key the set does not hold: the provider may have rotated its keys since they were fetched.
        if let kid = Self.keyID(of: token), !keyIDs.contains(kid) {
            if mayFetch { keys = (try? await fetchedKeys()) ?? keys }
            // Asked again after the wait: the answer of a fetch another caller started counts too.
            if !keyIDs.contains(kid), providerAway { throw IdentityProviderUnavailable() }
        }
        return try check(try await keys.verify(token, as: SpeakerClaims.self))
    }

    /// The keys held, fetched first when there are none; refreshed when old, unless the provider
    /// cannot be reached, when the old ones go on verifying.
    private func currentKeys() async throws -> JWTKeyCollection {
        guard let keys, let fetchedAt else {
            // None held and the last fetch failed moments ago: refused without asking again, so a
            // flood of tokens while the provider is away does not become a flood of fetches.
            guard mayFetch || fetch != nil else { throw OIDCKeysUnavailable(url: keysURL, reason: "its last fetch failed; not asked again yet") }
            return try await fetchedKeys()
        }
        guard ContinuousClock.now - fetchedAt >= refreshInterval, mayFetch else { return keys }
        do {
            return try await fetchedKeys()
        } catch {
            logger.warning("The OIDC provider's keys could not be refreshed; the cached ones stay in use", metadata: ["error": "\(error)"])
            return keys
        }
    }

    /// Whether the throttle allows a fetch now.
    private var mayFetch: Bool {
        attemptedAt.map { ContinuousClock.now - $0 >= minimumRefetchInterval } ?? true
    }

    /// Fetches the key set, or waits for the fetch already under way.
    private func fetchedKeys() async throws -> JWTKeyCollection {
        let running: Task<(JWTKeyCollection, Set<String>), any Error>
        if let fetch {
            running = fetch
        } else {
            // Set before the await, so callers arriving meanwhile neither start a fetch nor pass the throttle.
            attemptedAt = .now
            let url = keysURL
            running = Task { try await Self.download(url) }
            fetch = running
        }
        let result = await running.result
        if fetch == running {
            fetch = nil
            switch result {
            case .success(let (fresh, ids)):
                providerAway = false
                keys = fresh
                keyIDs = ids
                fetchedAt = .now
                logger.info("Fetched the OIDC provider's keys", metadata: ["url": "\(keysURL)"])
            case .failure(let error) where keys == nil:
                providerAway = true
                logger.error(
                    "The OIDC provider's keys could not be fetched and none are cached: its tokens are answered 503 until it answers",
                    metadata: ["url": "\(keysURL)", "error": "\(error)"])
            case .failure:
                providerAway = true
            }
        }
        return try result.get().0
    }

    /// How long a fetch may take. The client retries a refused connection until then, so it is
    /// how long the first speaker waits for a 503 while an unreachable provider's keys are not
    /// held.
    static let fetchTimeout: TimeAmount = .seconds(5)

    private static func download(_ url: URL) async throws -> (JWTKeyCollection, Set<String>) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url.absoluteString), timeout: fetchTimeout)
        guard response.status == .ok else { throw OIDCKeysUnavailable(url: url, reason: "it answered \(response.status.code)") }
        let body = try await response.body.collect(upTo: 1024 * 1024)
        let set = try JSONDecoder().decode(JWKS.self, from: Data(body.readableBytesView))
        let fresh = JWTKeyCollection()
        try await fresh.add(jwks: set)
        return (fresh, Set(set.keys.compactMap { $0.keyIdentifier?.string }))
    }

    /// The `kid` of a token's header, read before the token is verified.
    private static func keyID(of token: String) -> String? {
        var header = String(token.prefix { $0 != "." }).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        header += String(repeating: "=", count: (4 - header.count % 4) % 4)
        guard let data = Data(base64Encoded: header), let fields = try? JSONDecoder().decode([String: String?].self, from: data) else { return nil }
        return fields["kid"] ?? nil
    }

    private func check(_ claims: SpeakerClaims) throws -> SpeakerClaims {
        guard claims.issuer.value == issuer else { throw JWTError.claimVerificationFailure(failedClaim: claims.issuer, reason: "not \(issuer)") }
        try claims.audience.verifyIntendedAudience(includes: audience)
        return claims
    }

}

/// The claims Dragoman reads from a speaker's token.
struct SpeakerClaims: JWTPayload {
    var issuer: IssuerClaim
    var subject: SubjectClaim
    var audience: AudienceClaim
    var expiration: ExpirationClaim
    var issuedAt: IssuedAtClaim?
    var notBefore: NotBeforeClaim?
    var name: String?
    var email: String?
    var preferredUsername: String?

    enum CodingKeys: String, CodingKey {
        case issuer = "iss"
        case subject = "sub"
        case audience = "aud"
        case expiration = "exp"
        case issuedAt = "iat"
        case notBefore = "nbf"
        case name, email
        case preferredUsername = "preferred_username"
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try expiration.verifyNotExpired()
        try notBefore?.verifyNotBefore()
    }

    /// What logs and the speaker's sessions show for this person.
    var displayName: String { name ?? preferredUsername ?? email ?? subject.value }
}

/// The sign-in provider could not be reached, and no key that could check the token is held.
struct IdentityProviderUnavailable: TemporarilyUnavailable {
    var message: String { "The sign-in provider is not answering; try again in a few seconds." }
}

/// The provider's JWKS could not be fetched.
struct OIDCKeysUnavailable: Error, CustomStringConvertible {
    let url: URL
    let reason: String
    var description: String { "the OIDC keys at \(url) are unavailable: \(reason)" }
}
