import Hummingbird

/// The body of `/healthz` and `/readyz`: `ok`, `ready`, or `unavailable` with the `reason`.
struct HealthStatus: ResponseEncodable, Equatable {
    var status: String
    var reason: String?
}
