import DragomanStore
import Logging
import ServiceLifecycle

/// Writes what the server must not lose (transcript segments, translations, session status and
/// lifecycle events) to the store, and keeps what the store refuses until it takes it.
///
/// While the store answers, a write is done before the caller goes on (what is published is
/// stored first). When it fails (a full disk, a lock held past the busy timeout, PostgreSQL
/// restarting), it is tried a few times at once, then kept in order and retried in the
/// background with backoff, and the caller is told, so it can publish anyway and tell the
/// speaker: a caption already shown is never lost because the database blinked. While writes are
/// held, new ones wait behind them and all are retried in order, so a translation is not stored
/// before its segment. As a `Service`
/// it retries until the server stops, and tries what is still held once more then.
actor StoreWriter: Service {
    /// One write; it may be tried more than once.
    typealias Write = @Sendable (any DragomanStore) async throws -> Void

    /// How writes are retried.
    struct Policy: Sendable {
        /// Waits between the attempts made at once, before the write is held; they are made
        /// only within `immediateWindow` of the first, so a store that fails slowly (a lock held
        /// past the busy timeout) does not hold the captions back for several timeouts.
        var immediateRetries: [Duration] = [.milliseconds(50), .milliseconds(200)]
        var immediateWindow: Duration = .seconds(1)
        /// The first wait of the background retries; it doubles up to `longestBackoff`.
        var backoff: Duration = .milliseconds(500)
        var longestBackoff: Duration = .seconds(5)
        /// Most writes held; past it the oldest is given up (and counted), so a store down for
        /// days cannot take the server's memory.
        var capacity = 100_000
        /// A held write the store refuses this many times while taking the write after it is
        /// not refused for the store's sake but its own (it can never succeed): it is given up
        /// rather than hold every write after it for ever.
        var strikes = 3
    }

    /// What became of a write.
    enum Outcome: Equatable, Sendable {
        case stored
        /// The store refused it (or others wait before it): it is held and retried.
        case held
    }

    private struct Held {
        let id: Int
        let what: String
        let write: Write
        /// How many times the store refused this write while taking the one after it.
        var strikes = 0
    }

    private let store: any DragomanStore
    private let policy: Policy
    private let logger: Logger
    private var held: [Held] = []
    private var nextID = 0
    /// Wakes the background retries when a write is held.
    private let heldSignals: AsyncStream<Void>
    private let heldSignal: AsyncStream<Void>.Continuation

    init(store: any DragomanStore, policy: Policy = Policy(), logger: Logger) {
        self.store = store
        self.policy = policy
        self.logger = logger
        (heldSignals, heldSignal) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Writes now, or holds the write behind those already held. `what` names it in logs.
    func write(_ what: String, _ write: @escaping Write) async -> Outcome {
        if held.isEmpty {
            if await attempt(what, write, retries: policy.immediateRetries) { return .stored }
            // Another write may have been held while this one was tried: it goes after them all.
        }
        nextID += 1
        hold(Held(id: nextID, what: what, write: write))
        return .held
    }

    /// How many writes wait for the store.
    var heldCount: Int { held.count }

    func run() async throws {
        let signals = heldSignals
        await cancelWhenGracefulShutdown {
            for await _ in signals { await self.retryHeld() }
        }
        // Stopping: whatever is still held gets one more try.
        await retryHeld(once: true)
        if !held.isEmpty {
            logger.critical("Writes the store never took are lost with the server", metadata: ["count": "\(held.count)"])
            ServerMetrics.storeWritesLost.increment(by: held.count)
        }
    }

    private func hold(_ write: Held) {
        if held.count >= policy.capacity {
            let lost = held.removeFirst()
            logger.critical("Too many writes wait for the store; the oldest is given up", metadata: ["write": "\(lost.what)"])
            ServerMetrics.storeWritesLost.increment()
        }
        held.append(write)
        ServerMetrics.storeWritesHeld.record(held.count)
        heldSignal.yield()
    }

    /// Writes the held writes in order until none is left, the store refuses one again (then
    /// after a backoff, unless `once`), or the task is cancelled.
    private func retryHeld(once: Bool = false) async {
        var backoff = policy.backoff
        while let next = held.first {
            if await attempt(next.what, next.write, retries: []) {
                forget(next.id)
                backoff = policy.backoff
                continue
            }
            // Refused: because of the store, or of this write? The next one tells.
            if let after = held.dropFirst().first, await attempt(after.what, after.write, retries: []) {
                forget(after.id)
                strike(next.id)
                continue
            }
            guard !once, (try? await Task.sleep(for: backoff)) != nil else { return }
            backoff = min(backoff * 2, policy.longestBackoff)
        }
        if !once { logger.notice("The store takes writes again") }
    }

    /// Drops a held write once stored. By id: the list may have changed while it was written.
    private func forget(_ id: Int) {
        held.removeAll { $0.id == id }
        ServerMetrics.storeWritesHeld.record(held.count)
    }

    /// The store refused a write while it took the next one; the last strike gives it up.
    private func strike(_ id: Int) {
        guard let index = held.firstIndex(where: { $0.id == id }) else { return }
        held[index].strikes += 1
        guard held[index].strikes >= policy.strikes else { return }
        logger.critical("The store refuses this write but takes others; it is given up", metadata: ["write": "\(held[index].what)"])
        ServerMetrics.storeWritesLost.increment()
        forget(id)
    }

    private func attempt(_ what: String, _ write: Write, retries: [Duration]) async -> Bool {
        var waits = retries[...]
        let started = ContinuousClock.now
        while true {
            do {
                try await write(store)
                return true
            } catch {
                ServerMetrics.storeWriteFailures.increment()
                logger.error("The store refused a write", metadata: ["write": "\(what)", "error": "\(error)"])
                guard let wait = waits.popFirst(), ContinuousClock.now - started + wait < policy.immediateWindow,
                    (try? await Task.sleep(for: wait)) != nil
                else { return false }
            }
        }
    }
}
