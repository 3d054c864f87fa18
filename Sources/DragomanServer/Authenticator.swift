import DragomanStore
import HTTPTypes
import Hummingbird

/// Turns a presented credential into the key it belongs to.
struct Authenticator: Sendable {
    let store: any DragomanStore

    /// The key for `Authorization: Bearer …`.
    /// - Throws: 401 when it is missing, unknown or revoked.
    func speaker(from request: Request) async throws -> KeyRecord {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw HTTPError(.unauthorized, message: "Send the speaker key as \"Authorization: Bearer KEY\".")
        }
        return try await speaker(secret: String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces))
    }

    /// The key with this secret.
    /// - Throws: 401 when it is unknown or revoked.
    func speaker(secret: String) async throws -> KeyRecord {
        guard !secret.isEmpty, let key = try await store.authenticate(secret: secret) else {
            throw HTTPError(.unauthorized, message: "The speaker key is not valid.")
        }
        return key
    }

    /// An operator key.
    /// - Throws: 401 for no valid key, 403 for a key without the operator role.
    func `operator`(from request: Request) async throws -> KeyRecord {
        let key = try await speaker(from: request)
        guard key.role == .operator else { throw HTTPError(.forbidden, message: "This needs an operator key.") }
        return key
    }
}
