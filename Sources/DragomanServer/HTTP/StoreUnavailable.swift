import DragomanCore
import DragomanStore
import HTTPTypes
import Hummingbird

/// A service an answer needed (the database, the sign-in provider) did not answer: 503 with a
/// `Retry-After`, so the client tries again soon. Never a 401 or a 404, which would tell a
/// speaker that their key is wrong and count as a failed guess against their address.
protocol TemporarilyUnavailable: HTTPResponseError {
    /// What the client is told.
    var message: String { get }
}

extension TemporarilyUnavailable {
    var status: HTTPResponse.Status { .serviceUnavailable }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        try HTTPError(.serviceUnavailable, headers: [.retryAfter: String(StoreUnavailable.retryAfterSeconds)], message: message)
            .response(from: request, context: context)
    }
}

/// The database did not answer a read that a credential or a session id needed.
struct StoreUnavailable: TemporarilyUnavailable {
    /// Seconds a client is asked to wait before it tries again.
    static let retryAfterSeconds = 5

    var message: String { "The database is not answering; try again in a few seconds." }

    /// The value of a store read, whose failure becomes `StoreUnavailable`.
    static func reading<Value>(_ read: () async throws -> Value) async throws(StoreUnavailable) -> Value {
        do {
            return try await read()
        } catch {
            throw StoreUnavailable()
        }
    }
}

extension DragomanStore {
    /// The session a route's `{id}` names.
    /// - Throws: 404 when there is none (or the id cannot be one), `StoreUnavailable` when the
    ///   database did not answer.
    func session(named typed: String) async throws -> SessionRecord {
        guard let id = SessionID.normalize(typed), let record = try await StoreUnavailable.reading({ try await session(id: id) }) else {
            throw HTTPError(.notFound, message: "There is no session \(typed).")
        }
        return record
    }
}
