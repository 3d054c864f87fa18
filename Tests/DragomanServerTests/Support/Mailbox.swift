import Synchronization

/// What a test waits for with a timeout instead of a sleep: things put in by one side (a socket's
/// reader) and taken, in order, by the test.
final class Mailbox<Element: Sendable>: Sendable {
    /// Nothing came within the time allowed.
    struct TimedOut: Error, CustomStringConvertible {
        let after: Duration
        var description: String { "nothing arrived within \(after)" }
    }

    /// Nothing more will come.
    struct Finished: Error, CustomStringConvertible {
        var description: String { "the sender finished" }
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Element?, Never>
    }

    private struct State {
        var buffer: [Element] = []
        var waiters: [Waiter] = []
        var cancelled: Set<UInt64> = []
        var nextID: UInt64 = 0
        var finished = false
    }

    private let state = Mutex(State())

    /// Hands `element` to the oldest waiter, or keeps it for the next one.
    func put(_ element: Element) {
        let waiter = state.withLock { state -> Waiter? in
            guard !state.waiters.isEmpty else {
                state.buffer.append(element)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.continuation.resume(returning: element)
    }

    /// Marks the end: waiters and later takers get `Finished` once the buffer is empty.
    func finish() {
        let waiters = state.withLock { state -> [Waiter] in
            state.finished = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.continuation.resume(returning: nil) }
    }

    /// Whether `finish()` was called.
    var isFinished: Bool { state.withLock { $0.finished } }

    /// Everything received and not yet taken, without waiting.
    func drain() -> [Element] {
        state.withLock { state in
            defer { state.buffer = [] }
            return state.buffer
        }
    }

    /// The next element.
    /// - Throws: `TimedOut` when none comes within `timeout`, `Finished` when none will come.
    func next(timeout: Duration) async throws -> Element {
        let outcome = await withTaskGroup(of: Element?.self) { group in
            group.addTask { await self.take() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            var taken: Element?
            // The first to finish decides; an element taken meanwhile by the loser is kept, not lost.
            for await result in group {
                if let result { taken = result }
                group.cancelAll()
            }
            return taken
        }
        if let outcome { return outcome }
        if isFinished, state.withLock({ $0.buffer.isEmpty }) { throw Finished() }
        throw TimedOut(after: timeout)
    }

    /// Waits for an element; `nil` when cancelled or finished.
    private func take() async -> Element? {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Element?, Never>) in
                let immediate = state.withLock { state -> Element?? in
                    if !state.buffer.isEmpty { return .some(state.buffer.removeFirst()) }
                    if state.finished || state.cancelled.remove(id) != nil { return .some(nil) }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                if let index = state.waiters.firstIndex(where: { $0.id == id }) { return state.waiters.remove(at: index) }
                state.cancelled.insert(id)
                return nil
            }
            waiter?.continuation.resume(returning: nil)
        }
    }
}
