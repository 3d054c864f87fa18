import DragomanCore
import Foundation

/// Counts failed connects (bad key, unknown session, wrong passcode) per client address, so a
/// client guessing session ids or keys is answered 429 after a few tries a minute.
actor FailedConnectLimiter {
    private var buckets: [String: TokenBucket] = [:]
    private let perMinute: Double
    private let clock: any MonotonicClock

    init(perMinute: Double, clock: any MonotonicClock = .system) {
        self.perMinute = perMinute
        self.clock = clock
    }

    /// Whether the address may try again now.
    func allows(_ address: String) -> Bool {
        buckets[address]?.hasToken(now: clock.seconds) ?? true
    }

    /// Records a failed try.
    func recordFailure(_ address: String) {
        var bucket = buckets[address] ?? TokenBucket(rate: perMinute / 60, capacity: perMinute)
        let now = clock.seconds
        _ = bucket.take(now: now)
        buckets[address] = bucket
        if buckets.count > 100_000 { buckets = buckets.filter { !$0.value.isFull(now: now) } }
    }
}
