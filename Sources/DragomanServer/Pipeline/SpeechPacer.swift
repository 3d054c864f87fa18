import DragomanCore
import Synchronization

/// Emits a language's synthesized speech at the pace it will be played, `lead` seconds ahead of
/// the listeners' playback, instead of as fast as it is synthesized. A segment's speech comes out
/// of the synthesizer many times faster than it is spoken; sent at once, every listener of the
/// language would get seconds of audio in one burst, and the venue's Wi-Fi (and the server's
/// sockets) would carry it all at the same moment. Paced, the first `lead` seconds go at once (no
/// added latency), and the rest follow as the listeners need them.
final class SpeechPacer: Sendable {
    private let chunks: AsyncStream<SpeechChunk>.Continuation
    private let queued: AsyncStream<SpeechChunk>
    private let lead: Double
    private let emit: AsyncStream<PipelineOutput>.Continuation
    private let stopped = Atomic<Bool>(false)
    /// When the speech enqueued so far will have played out at the listeners, if played back to
    /// back from now on (`MonotonicTime`).
    private let playedOutBy = Mutex(0.0)

    init(lead: Double, emit: AsyncStream<PipelineOutput>.Continuation) {
        self.lead = lead
        self.emit = emit
        (queued, chunks) = AsyncStream.makeStream(of: SpeechChunk.self)
    }

    func enqueue(_ chunk: SpeechChunk) {
        let now = MonotonicTime.seconds
        playedOutBy.withLock { $0 = max($0, now) + chunk.duration }
        chunks.yield(chunk)
    }

    /// Seconds of speech enqueued that the listeners have not heard yet.
    var backlog: Double {
        let now = MonotonicTime.seconds
        return playedOutBy.withLock { max(0, $0 - now) }
    }

    /// Sends what is queued, at its pace, then ends.
    func finish() {
        chunks.finish()
    }

    /// Drops what is queued.
    func stop() {
        stopped.store(true, ordering: .relaxed)
        chunks.finish()
    }

    /// Emits the queued chunks at their pace until finished; stops at once when cancelled.
    func run() async {
        // When the speech sent so far will have played out at the listeners (MonotonicTime).
        var playedOutAt = 0.0
        for await chunk in queued {
            guard !stopped.load(ordering: .relaxed) else { return }
            let now = MonotonicTime.seconds
            playedOutAt = max(playedOutAt, now)
            let wait = playedOutAt - lead - now
            if wait > 0 {
                do { try await Task.sleep(for: .seconds(wait)) } catch { return }
            }
            guard !stopped.load(ordering: .relaxed) else { return }
            emit.yield(.speech(chunk))
            playedOutAt += chunk.duration
        }
    }
}
