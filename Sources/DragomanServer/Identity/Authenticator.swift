import DragomanCore
import DragomanStore
import HTTPTypes
import Hummingbird

/// Turns a presented credential into the key it belongs to: a speaker key, or, where an OpenID
/// Connect provider is configured, a token it issued.
struct Authenticator: Sendable {
    let store: any DragomanStore
    var identityProvider: OIDCVerifier?

    /// The key for `Authorization: Bearer …`.
    /// - Throws: 401 when it is missing, unknown or revoked.
    func speaker(from request: Request) async throws -> KeyRecord {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw HTTPError(.unauthorized, message: "Send the speaker key as \"Authorization: Bearer KEY\".")
        }
        return try await speaker(secret: String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces))
    }

    /// The key with this secret, or the speaker this OIDC token identifies.
    /// - Throws: 401 when it is unknown or revoked, or a token that is not valid;
    ///   `StoreUnavailable` when the database did not answer, `IdentityProviderUnavailable` when
    ///   the sign-in provider did not and no key that could check the token is held (neither is
    ///   a wrong key).
    func speaker(secret: String) async throws -> KeyRecord {
        if let identityProvider, OIDCVerifier.looksLikeJWT(secret) {
            guard let speaker = try await identityProvider.speaker(token: secret) else {
                throw HTTPError(.unauthorized, message: "The sign-in token is not valid.")
            }
            return speaker
        }
        guard !secret.isEmpty, let key = try await StoreUnavailable.reading({ try await store.authenticate(secret: secret) }) else {
            throw HTTPError(.unauthorized, message: "The speaker key is not valid.")
        }
        return key
    }

    /// The session the route's `{id}` names, when the request's key owns it.
    /// - Throws: 401 for no valid key, 404 for no such session, 403 for another key's session.
    func ownedSession(_ request: Request, context: DragomanRequestContext) async throws -> SessionRecord {
        let key = try await speaker(from: request)
        let record = try await store.session(named: try context.parameters.require("id"))
        guard record.ownerKeyID == key.id else { throw HTTPError(.forbidden, message: "This key does not own session \(record.id).") }
        return record
    }

    /// An operator key.
    /// - Throws: 401 for no valid key, 403 for a key without the operator role.
    func `operator`(from request: Request) async throws -> KeyRecord {
        let key = try await speaker(from: request)
        guard key.role == .operator else { throw HTTPError(.forbidden, message: "This needs an operator key.") }
        return key
    }
}
