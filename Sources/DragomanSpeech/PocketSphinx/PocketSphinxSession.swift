import Dispatch
import Synchronization

/// One utterance decoded by a decoder borrowed from a ``PocketSphinxRecognizer``.
final class PocketSphinxSession: RecognitionSession {
    /// pocketsphinx is fed 100 ms at a time: often enough for lively partial results, seldom
    /// enough that searching and backtracking for them stays cheap.
    static let chunkLength = PCM.speechSampleRate / 10

    private struct State {
        /// nil once finished.
        var decoder: PocketSphinxDecoder?
        /// Samples waiting for a whole chunk.
        var unprocessed: [Int16] = []
    }

    private let state: Mutex<State>
    private let recognizer: PocketSphinxRecognizer
    /// Decoding is CPU work (milliseconds to tens of milliseconds a chunk) in C: it runs on the
    /// session's own serial queue, not on Swift's cooperative threads. There are only as many of
    /// those as cores, and two sessions decoding on them would stall every other session, socket
    /// handler and timer of the server meanwhile.
    private let queue = DispatchQueue(label: "dragoman.pocketsphinx")

    /// pocketsphinx's final pass (a flat search over the utterance and a best path through its
    /// lattice) makes about half the errors of its first-pass partials, and takes milliseconds.
    var prefersCutsAtPauses: Bool { true }

    init(decoder: PocketSphinxDecoder, recognizer: PocketSphinxRecognizer) throws {
        try decoder.startUtterance()
        state = Mutex(State(decoder: decoder))
        self.recognizer = recognizer
    }

    deinit {
        // An abandoned session still gives its decoder back; the next session ends the open
        // utterance when it starts its own.
        if let decoder = state.withLock({ $0.decoder.take() }) { recognizer.recycle(decoder) }
    }

    func feed(_ samples: [Int16]) async throws -> String? {
        try await onQueue { try self.decode(samples) }
    }

    func finish() async throws -> String {
        try await onQueue { try self.finishDecoding() }
    }

    /// Runs `work` on `queue` and returns its result.
    private func onQueue<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result(catching: work)) }
        }
    }

    private func decode(_ samples: [Int16]) throws -> String? {
        try state.withLock { state in
            guard let decoder = state.decoder else { throw PocketSphinxError.sessionFinished }
            state.unprocessed += samples
            var start = 0
            while state.unprocessed.count - start >= Self.chunkLength {
                try decoder.process(state.unprocessed[start..<start + Self.chunkLength])
                start += Self.chunkLength
            }
            state.unprocessed.removeFirst(start)
            let hypothesis = decoder.hypothesis()
            return hypothesis.isEmpty ? nil : hypothesis
        }
    }

    private func finishDecoding() throws -> String {
        let (decoder, result) = try state.withLock { state in
            guard let decoder = state.decoder.take() else { throw PocketSphinxError.sessionFinished }
            let result = Result {
                try decoder.process(state.unprocessed[...])
                try decoder.endUtterance()
                return decoder.hypothesis()
            }
            state.unprocessed = []
            return (decoder, result)
        }
        recognizer.recycle(decoder)
        return try result.get()
    }
}
