import Foundation
import Logging

/// Where speakers' OpenID Connect tokens come from; all three set, or none (keys only).
public struct IdentitySettings: Sendable {
    /// The provider's issuer, exactly as its tokens' `iss` claim gives it.
    public var oidcIssuer = ""
    /// The audience its tokens must name (`aud`): the client id Dragoman is registered as.
    public var oidcAudience = ""
    /// The provider's JSON Web Key Set (`jwks_uri` of its `.well-known/openid-configuration`).
    public var oidcKeysURL = ""
    /// The shortest time between two fetches of the keys for a token naming an unknown key, so a
    /// flood of forged tokens cannot make Dragoman hammer the provider. Not a setting: tests lower it.
    public var minimumRefetchInterval: Duration = .seconds(30)

    public init() {}

    /// The verifier of these settings; `nil` when OIDC is off, with a warning when only some are set.
    func verifier(logger: Logger) -> OIDCVerifier? {
        let given = [oidcIssuer, oidcAudience, oidcKeysURL].filter { !$0.isEmpty }.count
        guard given == 3, let url = URL(string: oidcKeysURL), url.host != nil else {
            if given > 0 { logger.warning("OIDC sign-in is off: it needs oidcIssuer, oidcAudience and oidcKeysURL (an http(s) URL)") }
            return nil
        }
        return OIDCVerifier(issuer: oidcIssuer, audience: oidcAudience, keysURL: url, minimumRefetchInterval: minimumRefetchInterval, logger: logger)
    }
}

extension ServerConfiguration {
    /// The OpenID Connect settings; docs/configuration.md explains them.
    static let identityKeys: [ConfigurationKey] = [
        .string(
            "oidcIssuer", "Issuer of the OpenID Connect provider whose tokens speakers may sign in with (iss); empty: speaker keys only.", \.identity.oidcIssuer
        ),
        .string("oidcAudience", "Audience the provider's tokens must name (aud): Dragoman's client id there.", \.identity.oidcAudience),
        .string(
            "oidcKeysURL", "URL of the provider's JSON Web Key Set (jwks_uri); fetched, kept, and fetched again for a key it does not hold.",
            \.identity.oidcKeysURL),
    ]
}
