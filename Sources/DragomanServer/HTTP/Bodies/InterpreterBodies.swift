import Hummingbird

/// The body of `POST /v1/sessions/{id}/interpreters`: the credential, with its `token` shown this
/// once.
struct CreatedInterpreter: ResponseEncodable, Equatable {
    var interpreterId: String
    var sessionId: String
    var language: String
    var name: String
    var token: String
    /// The interpreter page, with the token after `#`.
    var interpretUrl: String
    /// ISO 8601.
    var createdAt: String
}

/// An interpreter credential as `GET /v1/sessions/{id}/interpreters` lists it (never its secret).
struct ListedInterpreter: ResponseEncodable, Equatable {
    var interpreterId: String
    var language: String
    var name: String
    /// ISO 8601.
    var createdAt: String
    var connected: Bool
    var onAir: Bool
}

/// The body of `GET /v1/sessions/{id}/interpreters`: the credentials not revoked.
struct InterpreterList: ResponseEncodable, Equatable {
    var interpreters: [ListedInterpreter]
}
