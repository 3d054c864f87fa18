import DragomanCore
import Synchronization

/// A clock that stands still until the test moves it, for the rate limits that refill over
/// seconds or minutes: the test says how much time passes instead of sleeping through it.
final class ManualClock: MonotonicClock {
    private let now = Mutex(1_000.0)

    var seconds: Double { now.withLock { $0 } }

    /// Lets `seconds` pass.
    func advance(by seconds: Double) {
        now.withLock { $0 += seconds }
    }
}
