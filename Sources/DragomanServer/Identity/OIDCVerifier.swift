import AsyncHTTPClient
import DragomanStore
import Foundation
import JWTKit
import Logging

/// Speakers signed in with any OpenID Connect provider: their ID or access token (a JWT) is
/// accepted wherever a speaker key is. The token must be signed by a key of the provider's JWKS,
/// come from the configured issuer, name the configured audience and not have expired.
///
/// The JWKS is fetched on first use and kept; it is fetched again when it is older than
/// ``refreshInterval``, and at once (at most every `minimumRefetchInterval`) when a token names
/// a key it does not hold: that is how providers rotate keys.
actor OIDCVerifier {
    let issuer: String
    let audience: String
    let keysURL: URL
    private let minimumRefetchInterval: Duration
    private let logger: Logger
    private var keys: JWTKeyCollection?
    /// The key ids of the set fetched.
    private var keyIDs: Set<String> = []
    private var fetchedAt: ContinuousClock.Instant?

    static let refreshInterval: Duration = .seconds(3_600)

    init(issuer: String, audience: String, keysURL: URL, minimumRefetchInterval: Duration, logger: Logger) {
        self.issuer = issuer
        self.audience = audience
        self.keysURL = keysURL
        self.minimumRefetchInterval = minimumRefetchInterval
        self.logger = logger
    }

    /// Whether `credential` is a JWT rather than a Dragoman key: three base64url parts.
    nonisolated static func looksLikeJWT(_ credential: String) -> Bool {
        let parts = credential.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" } }
    }

    /// The speaker a token identifies, as a key record (`oidc:` and the subject, so each person
    /// owns their sessions across tokens); `nil` when the token is not valid.
    func speaker(token: String) async -> KeyRecord? {
        do {
            let claims = try await verify(token)
            return KeyRecord(id: "oidc:\(claims.subject.value)", name: claims.displayName, role: .speaker, createdAt: claims.issuedAt?.value ?? Date())
        } catch {
            logger.notice("OIDC token refused", metadata: ["error": "\(error)"])
            return nil
        }
    }

    private func verify(_ token: String) async throws -> SpeakerClaims {
        var keys = try await currentKeys(forceRefresh: false)
        // A key the set does not hold: the provider may have rotated its keys since they were fetched.
        if let kid = Self.keyID(of: token), !keyIDs.contains(kid), let fetchedAt, ContinuousClock.now - fetchedAt >= minimumRefetchInterval {
            keys = try await currentKeys(forceRefresh: true)
        }
        return try check(try await keys.verify(token, as: SpeakerClaims.self))
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

    private func currentKeys(forceRefresh: Bool) async throws -> JWTKeyCollection {
        if !forceRefresh, let keys, let fetchedAt, ContinuousClock.now - fetchedAt < Self.refreshInterval { return keys }
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: keysURL.absoluteString), timeout: .seconds(10))
        guard response.status == .ok else { throw OIDCKeysUnavailable(url: keysURL, status: Int(response.status.code)) }
        let body = try await response.body.collect(upTo: 1024 * 1024)
        let set = try JSONDecoder().decode(JWKS.self, from: Data(body.readableBytesView))
        let fresh = JWTKeyCollection()
        try await fresh.add(jwks: set)
        keys = fresh
        keyIDs = Set(set.keys.compactMap { $0.keyIdentifier?.string })
        fetchedAt = .now
        logger.info("Fetched the OIDC provider's keys", metadata: ["url": "\(keysURL)"])
        return fresh
    }
}

/// The claims Dragoman reads from a speaker's token.
struct SpeakerClaims: JWTPayload {
    var issuer: IssuerClaim
    var subject: SubjectClaim
    var audience: AudienceClaim
    var expiration: ExpirationClaim
    var issuedAt: IssuedAtClaim?
    var name: String?
    var email: String?
    var preferredUsername: String?

    enum CodingKeys: String, CodingKey {
        case issuer = "iss"
        case subject = "sub"
        case audience = "aud"
        case expiration = "exp"
        case issuedAt = "iat"
        case name, email
        case preferredUsername = "preferred_username"
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try expiration.verifyNotExpired()
    }

    /// What logs and the speaker's sessions show for this person.
    var displayName: String { name ?? preferredUsername ?? email ?? subject.value }
}

/// The provider's JWKS could not be fetched.
struct OIDCKeysUnavailable: Error, CustomStringConvertible {
    let url: URL
    let status: Int
    var description: String { "the OIDC keys at \(url) answered \(status)" }
}
