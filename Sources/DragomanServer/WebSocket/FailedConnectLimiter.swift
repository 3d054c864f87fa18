import DragomanCore
import Foundation
import HTTPTypes
import Hummingbird

/// Counts failed guesses (bad key, unknown session, wrong passcode, on `/ws` and on every HTTP
/// route that names a session or needs a key) per client address, so a client guessing session
/// ids, passcodes or keys is answered 429 after a few tries a minute.
actor FailedConnectLimiter {
    private var buckets: [String: TokenBucket] = [:]
    private let perMinute: Double
    private let clock: any MonotonicClock

    init(perMinute: Double, clock: any MonotonicClock = .system) {
        self.perMinute = perMinute
        self.clock = clock
    }

    /// `nil` when the address may try again now; else the 429 to answer, with the seconds until
    /// it may as `Retry-After`.
    func refusal(_ address: String) -> HTTPError? {
        guard var bucket = buckets[address] else { return nil }
        let wait = bucket.secondsUntilToken(now: clock.seconds)
        guard wait > 0 else { return nil }
        return HTTPError(
            .tooManyRequests, headers: [.retryAfter: String(Int(wait.rounded(.up)))],
            message: "Too many failed attempts from this address; try again in a minute.")
    }

    /// Records a failed try.
    func recordFailure(_ address: String) {
        var bucket = buckets[address] ?? TokenBucket(rate: perMinute / 60, capacity: perMinute)
        let now = clock.seconds
        _ = bucket.take(now: now)
        buckets[address] = bucket
        if buckets.count > 100_000 { buckets = buckets.filter { !$0.value.isFull(now: now) } }
    }

    /// Whether an answer with this status is a failed guess: no such session (404), a key or
    /// passcode that is not right (401), another key's session (403).
    nonisolated static func isFailedGuess(_ status: HTTPResponse.Status) -> Bool {
        status == .unauthorized || status == .notFound || status == .forbidden
    }
}
