/// A token-bucket rate limiter: `rate` tokens a second, holding at most `capacity`.
/// Time is passed in (seconds on any monotonic clock), so it is testable without waiting.
public struct TokenBucket: Sendable, Equatable {
    public let rate: Double
    public let capacity: Double
    private var tokens: Double
    private var updatedAt: Double?

    /// A full bucket; `capacity` defaults to one second's worth.
    public init(rate: Double, capacity: Double? = nil) {
        self.rate = rate
        self.capacity = max(1, capacity ?? rate)
        self.tokens = self.capacity
    }

    /// Whether a token could be taken now, without taking it.
    public mutating func hasToken(now: Double) -> Bool {
        refill(now: now)
        return tokens >= 1
    }

    /// Seconds until a token can be taken; 0 when one can now.
    public mutating func secondsUntilToken(now: Double) -> Double {
        refill(now: now)
        return tokens >= 1 ? 0 : (1 - tokens) / rate
    }

    /// Whether the bucket would be full now (nothing taken lately).
    public func isFull(now: Double) -> Bool {
        guard let updatedAt else { return true }
        return tokens + max(0, now - updatedAt) * rate >= capacity
    }

    /// Takes `count` tokens if there are enough; `false` means the caller is over the rate.
    public mutating func take(_ count: Double = 1, now: Double) -> Bool {
        refill(now: now)
        guard tokens >= count else { return false }
        tokens -= count
        return true
    }

    private mutating func refill(now: Double) {
        if let updatedAt {
            tokens = min(capacity, tokens + max(0, now - updatedAt) * rate)
        }
        updatedAt = now
    }
}
