/// Synthesized speech, delivered while it is produced.
public struct SynthesizedSpeech: Sendable {
    /// Samples per second of every chunk.
    public let sampleRate: Int
    /// Mono PCM chunks in order; the first arrives as soon as the engine has produced it, so
    /// listeners can start hearing a sentence before all of it is synthesized. Stopping the
    /// iteration early cancels the synthesis.
    public let chunks: AsyncThrowingStream<[Int16], any Error>

    /// Wraps a stream of chunks at `sampleRate`.
    public init(sampleRate: Int, chunks: AsyncThrowingStream<[Int16], any Error>) {
        self.sampleRate = sampleRate
        self.chunks = chunks
    }
}

/// A text-to-speech engine.
public protocol SpeechSynthesizer: Sendable {
    /// The BCP-47 language codes this synthesizer has a voice for.
    var supportedLanguages: Set<String> { get }

    /// Starts speaking `text` in `language`, one of ``supportedLanguages``.
    func synthesize(_ text: String, language: String) async throws -> SynthesizedSpeech
}
