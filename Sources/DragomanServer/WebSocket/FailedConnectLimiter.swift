import DragomanCore
import Foundation

/// Counts failed connects (bad key, unknown session, wrong passcode) per client address, so a
/// client guessing session ids or keys is answered 429 after a few tries a minute.
actor FailedConnectLimiter {
    private var buckets: [String: TokenBucket] = [:]
    private let perMinute: Double

    init(perMinute: Double) {
        self.perMinute = perMinute
    }

    /// Whether the address may try again now.
    func allows(_ address: String) -> Bool {
        buckets[address]?.hasToken(now: MonotonicTime.seconds) ?? true
    }

    /// Records a failed try.
    func recordFailure(_ address: String) {
        var bucket = buckets[address] ?? TokenBucket(rate: perMinute / 60, capacity: perMinute)
        _ = bucket.take(now: MonotonicTime.seconds)
        buckets[address] = bucket
        if buckets.count > 100_000 { buckets = buckets.filter { !$0.value.isFull(now: MonotonicTime.seconds) } }
    }
}
