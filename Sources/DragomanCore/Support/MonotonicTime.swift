import Dispatch

/// Seconds on a clock that never jumps, for rate limits and latency measurements.
public enum MonotonicTime {
    public static var seconds: Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
