import DragomanStore
import Logging
import ServiceLifecycle

/// Writes what the server must not lose (transcript segments, translations, session status and
/// lifecycle events) to the store, and keeps what the store refuses until it takes it.
///
/// While the store answers promptly, a write is done before the caller goes on (what is published
/// is stored first). When it fails (a full disk, a lock held past the busy timeout, PostgreSQL
/// restarting), it is tried a few times at once, then kept in order and retried in the
/// background with backoff, and the caller is told (`whenHeld`), so it can publish anyway and
/// tell the speaker: a caption already shown is never lost because the database blinked. A write
/// still under way after `patience` (a slow disk, an overloaded database) goes on in the
/// background and the caller goes on without it (`late`), so a slow store never holds the
/// captions back; it is told later if the store then refuses it. While writes are held or late,
/// new ones wait behind them and are written in order, so a translation is not stored before its
/// segment. As a `Service` it retries until the server stops, and then waits for the late writes
/// and tries what is still held once more.
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
        /// How long a caller waits for its write before going on without it; longer than the
        /// attempts made at once against a store that refuses quickly, so that one is `held`.
        var patience: Duration = .milliseconds(500)
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
        /// The store refused it (or others it refused wait before it): it is held and retried.
        case held
        /// The store is slow: it is written in the background, after those before it.
        case late
    }

    /// Called once, when the store refuses a write (or one before it) and the write is held.
    typealias WhenHeld = @Sendable () -> Void

    private struct Held {
        let id: Int
        let what: String
        let write: Write
        let whenHeld: WhenHeld?
        /// Whether the store refused it (or one before it), and the caller was told.
        var refused = false
        /// How many times the store refused this write while taking the one after it.
        var strikes = 0

        /// Marks it refused, telling the caller the first time.
        mutating func refuse() {
            if !refused { whenHeld?() }
            refused = true
        }
    }

    private let store: any DragomanStore
    private let policy: Policy
    private let logger: Logger
    private var held: [Held] = []
    private var nextID = 0
    /// Writes that outlasted `patience`, still under way; new writes wait behind them.
    private var late: [Int: Task<Void, Never>] = [:]
    /// Wakes the background retries when a write is held.
    private let heldSignals: AsyncStream<Void>
    private let heldSignal: AsyncStream<Void>.Continuation

    init(store: any DragomanStore, policy: Policy = Policy(), logger: Logger) {
        self.store = store
        self.policy = policy
        self.logger = logger
        (heldSignals, heldSignal) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Writes now, or holds the write behind those already held or late. `what` names it in
    /// logs; `whenHeld` is called once if the store refuses it (or one before it), now or later.
    @discardableResult
    func write(_ what: String, whenHeld: WhenHeld? = nil, _ write: @escaping Write) async -> Outcome {
        nextID += 1
        var write = Held(id: nextID, what: what, write: write, whenHeld: whenHeld)
        if held.isEmpty, late.isEmpty {
            switch await attemptPatiently(write) {
            case true?: return .stored
            case nil: return .late
            // Refused. Another write may have been held while this one was tried: it goes after
            // them all.
            case false?: write.refuse()
            }
        } else if held.contains(where: \.refused) {
            write.refuse()
        }
        hold(write)
        return write.refused ? .held : .late
    }

    /// Tries a write, waiting for it at most `patience`: whether the store took it, or `nil` when
    /// it goes on in the background (and is held, before those after it, if the store refuses it).
    private func attemptPatiently(_ write: Held) async -> Bool? {
        let attempt = Task { await self.attempt(write.what, write.write, retries: policy.immediateRetries) }
        let (answers, answer) = AsyncStream.makeStream(of: Bool?.self)
        Task { answer.yield(await attempt.value) }
        let timer = Task {
            try? await Task.sleep(for: policy.patience)
            answer.yield(nil)
        }
        var first = answers.makeAsyncIterator()
        let stored = await first.next() ?? nil
        timer.cancel()
        guard stored == nil else { return stored }
        late[write.id] = Task { await self.finishLate(write, stored: await attempt.value) }
        return nil
    }

    /// A late write is done; refused, it is held before the writes that waited behind it.
    private func finishLate(_ write: Held, stored: Bool) {
        late[write.id] = nil
        if !stored {
            var write = write
            write.refuse()
            held.insert(write, at: 0)
            ServerMetrics.storeWritesHeld.record(held.count)
        }
        heldSignal.yield()
    }

    /// How many writes wait for the store.
    var heldCount: Int { held.count }

    func run() async throws {
        let signals = heldSignals
        await cancelWhenGracefulShutdown {
            for await _ in signals { await self.retryHeld() }
        }
        // Stopping: the late writes finish, and whatever is still held gets one more try.
        while let next = late.values.first { await next.value }
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
        let wasRefused = held.contains(where: \.refused)
        // A late write still under way goes first; its end signals again.
        while late.isEmpty, let next = held.first {
            if await attempt(next.what, next.write, retries: []) {
                forget(next.id)
                backoff = policy.backoff
                continue
            }
            refuseHeld()
            // Refused: because of the store, or of this write? The next one tells.
            if let after = held.dropFirst().first, await attempt(after.what, after.write, retries: []) {
                forget(after.id)
                strike(next.id)
                continue
            }
            guard !once, (try? await Task.sleep(for: backoff)) != nil else { return }
            backoff = min(backoff * 2, policy.longestBackoff)
        }
        if !once, wasRefused, held.isEmpty { logger.notice("The store takes writes again") }
    }

    /// The store refused the first held write: it and those behind it are held for the store's
    /// sake, and their callers are told.
    private func refuseHeld() {
        for index in held.indices { held[index].refuse() }
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
