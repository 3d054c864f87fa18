/// Whether a node whose database just failed a `/readyz` ping should still say it is ready.
///
/// A load balancer drains every node whose `/readyz` fails, and a database blip fails them all
/// at once; yet a node rides out a short outage (connected speakers and listeners carry on,
/// requests that need the database get 503 with `Retry-After`). So readiness fails only once
/// the database has failed every ping for `grace` seconds.
struct DatabaseReadiness: Sendable, Equatable {
    /// What `/readyz` says of the database.
    enum Verdict: Equatable {
        case answering
        /// Failing for less than `grace`: still ready, degraded.
        case failingBriefly
        case down
    }

    let grace: Double
    /// When the pings started failing; `nil` while they succeed.
    private var failingSince: Double?

    init(grace: Double) {
        self.grace = grace
    }

    /// The verdict after a ping at `now` (seconds on a monotonic clock).
    mutating func pinged(succeeded: Bool, now: Double) -> Verdict {
        guard !succeeded else {
            failingSince = nil
            return .answering
        }
        let since = failingSince ?? now
        failingSince = since
        return now - since < grace ? .failingBriefly : .down
    }
}
