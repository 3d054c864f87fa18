import Dispatch

/// Seconds on a clock that never jumps, for rate limits and latency measurements.
public enum MonotonicTime {
    public static var seconds: Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}

/// Where the rate limits read the time: the system's monotonic clock in the server, a clock the
/// test moves in tests, so that a limit that refills over a second or a minute is tested without
/// waiting for it.
public protocol MonotonicClock: Sendable {
    /// Seconds since an arbitrary moment; never decreases.
    var seconds: Double { get }
}

/// `MonotonicTime` as a `MonotonicClock`.
public struct SystemMonotonicClock: MonotonicClock {
    public init() {}

    public var seconds: Double { MonotonicTime.seconds }
}

extension MonotonicClock where Self == SystemMonotonicClock {
    /// The system's monotonic clock.
    public static var system: SystemMonotonicClock { SystemMonotonicClock() }
}
