/// Delays in whole milliseconds, counted in 1 ms buckets up to a minute: thousands of listeners
/// each record every message they get, so the bench keeps counts, not samples.
struct DelayHistogram: Sendable {
    private var buckets = [Int](repeating: 0, count: 60_001)
    private(set) var count = 0
    private(set) var largest = 0

    mutating func record(milliseconds: Int) {
        let clamped = min(max(milliseconds, 0), buckets.count - 1)
        buckets[clamped] += 1
        count += 1
        largest = max(largest, clamped)
    }

    mutating func merge(_ other: DelayHistogram) {
        for index in buckets.indices { buckets[index] += other.buckets[index] }
        count += other.count
        largest = max(largest, other.largest)
    }

    /// The delay below which `fraction` of the recorded ones lie (nearest rank), in ms.
    func percentile(_ fraction: Double) -> Int? {
        guard count > 0 else { return nil }
        let rank = max(1, Int((fraction * Double(count)).rounded(.up)))
        var seen = 0
        for (milliseconds, bucket) in buckets.enumerated() {
            seen += bucket
            if seen >= rank { return milliseconds }
        }
        return largest
    }
}
