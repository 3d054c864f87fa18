import DragomanCore

/// Sends a language's synthesized speech to its listeners at the pace it will be played, `lead`
/// seconds ahead of the listeners' playback, instead of as fast as it is synthesized. A segment's
/// speech comes out of the synthesizer many times faster than it is spoken; sent at once, every
/// listener of the language would get seconds of audio in one burst, and the venue's Wi-Fi (and
/// the server's sockets) would carry it all at the same moment. Paced, the first `lead` seconds go
/// at once (no added latency), and the rest follow as the listeners need them. A pause or mute of
/// the broadcast also stops what was not sent yet.
final class SpeechPacer: Sendable {
    private let chunks: AsyncStream<SpeechChunk>.Continuation
    private let sender: Task<Void, Never>

    init(session: LiveSession, lead: Double) {
        let (stream, continuation) = AsyncStream.makeStream(of: SpeechChunk.self)
        chunks = continuation
        sender = Task {
            // When the speech sent so far will have played out at the listeners (MonotonicTime).
            var playedOutAt = 0.0
            for await chunk in stream {
                let now = MonotonicTime.seconds
                playedOutAt = max(playedOutAt, now)
                let wait = playedOutAt - lead - now
                if wait > 0 { try? await Task.sleep(for: .seconds(wait)) }
                await session.publishAudio(chunk)
                playedOutAt += chunk.duration
            }
        }
    }

    func enqueue(_ chunk: SpeechChunk) {
        chunks.yield(chunk)
    }

    /// Sends what is queued, at its pace, then ends.
    func finish() async {
        chunks.finish()
        await sender.value
    }

    /// Drops what is queued.
    func stop() {
        chunks.finish()
        sender.cancel()
    }
}
