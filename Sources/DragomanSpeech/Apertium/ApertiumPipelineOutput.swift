import Foundation
import Synchronization

/// Collects what an Apertium pipeline writes and hands each request its translation.
///
/// Requests are written in order and the pipeline answers in order, each answer followed by
/// its request's marker, so waiters form a queue: the head waiter gets the bytes up to its
/// marker. A reading thread feeds ``receive(_:)``; ``fail(_:)`` ends every wait when the
/// pipeline dies or stalls.
final class ApertiumPipelineOutput: Sendable {
    private struct Waiter {
        let id: Int
        let terminator: [UInt8]
        /// nil once the request was cancelled: its answer is still consumed, then dropped.
        var continuation: CheckedContinuation<[UInt8], any Error>?
    }

    private struct State {
        var buffer: [UInt8] = []
        var waiters: [Waiter] = []
        var failure: ApertiumError?
    }

    /// The pair whose pipeline this reads.
    let pair: TranslationPair
    private let state = Mutex(State())
    /// Held from queuing a waiter until its request is written, so requests reach the pipeline
    /// in the order of the queue. Not the state lock: the reading thread must never wait for a write.
    private let writing = Mutex(())

    /// Collects the output of `pair`'s pipeline.
    init(pair: TranslationPair) {
        self.pair = pair
    }

    /// Writes `request` to `input` and waits for the answer that ends with `terminator`.
    /// The waiter is queued before the request is written, so the answer cannot arrive
    /// before anyone waits for it.
    func answer(id: Int, terminator: [UInt8], request: [UInt8], input: FileHandle) async throws -> [UInt8] {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                writing.withLock { _ in
                    let failure = state.withLock { state -> ApertiumError? in
                        if state.failure == nil {
                            state.waiters.append(Waiter(id: id, terminator: terminator, continuation: continuation))
                        }
                        return state.failure
                    }
                    if let failure { return continuation.resume(throwing: failure) }
                    do { try input.write(contentsOf: request) } catch { fail(with: .pipelineExited(pair)) }
                }
            }
        } onCancel: {
            let continuation = state.withLock { state in
                state.waiters.firstIndex { $0.id == id }.flatMap { state.waiters[$0].continuation.take() }
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Takes bytes the pipeline wrote and answers the waiters whose marker has arrived.
    func receive(_ bytes: some Sequence<UInt8>) {
        let answered = state.withLock { state in
            state.buffer += bytes
            var answered: [(CheckedContinuation<[UInt8], any Error>?, [UInt8])] = []
            while let waiter = state.waiters.first, let range = state.buffer.firstRange(of: waiter.terminator) {
                answered.append((waiter.continuation, Array(state.buffer[..<range.lowerBound])))
                state.buffer.removeSubrange(..<range.upperBound)
                state.waiters.removeFirst()
            }
            return answered
        }
        for (continuation, answer) in answered { continuation?.resume(returning: answer) }
    }

    /// Fails every waiting request, and every later one, with `error`.
    func fail(with error: ApertiumError) {
        let waiters = state.withLock { state in
            if state.failure == nil { state.failure = error }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.continuation?.resume(throwing: error) }
    }
}
