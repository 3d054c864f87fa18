import Dispatch

/// Seconds on a clock that never jumps, for rate limits and latency measurements.
public enum MonotonicTime {
    public static var seconds: Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}

/// Where the rate limits read the time and the session timers (the speaker's grace period, the
/// periodic status) wait for it: the system's monotonic clock in the server, a clock the test
/// moves in tests, so that a limit that refills over a minute or a grace period of 30 s is tested
/// without waiting for it.
public protocol MonotonicClock: Sendable {
    /// Seconds since an arbitrary moment; never decreases.
    var seconds: Double { get }

    /// Returns once `seconds` has reached `deadline` (at once if it has already).
    /// - Throws: `CancellationError` when the waiting task is cancelled first.
    func sleep(until deadline: Double) async throws
}

/// `MonotonicTime` as a `MonotonicClock`.
public struct SystemMonotonicClock: MonotonicClock {
    public init() {}

    public var seconds: Double { MonotonicTime.seconds }

    public func sleep(until deadline: Double) async throws {
        let left = deadline - seconds
        if left > 0 { try await Task.sleep(for: .seconds(left)) }
        try Task.checkCancellation()
    }
}

extension MonotonicClock where Self == SystemMonotonicClock {
    /// The system's monotonic clock.
    public static var system: SystemMonotonicClock { SystemMonotonicClock() }
}
