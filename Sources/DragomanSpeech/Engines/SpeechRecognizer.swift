/// A speech-to-text engine: a factory of recognition sessions.
///
/// A session decodes one stretch of speech, usually one segment cut by
/// ``VoiceActivitySegmenter``. Keeping the engine and the session apart lets an engine share
/// expensive state (loaded models, a connection to a sidecar) across sessions while each
/// session holds only what one stretch of speech needs.
public protocol SpeechRecognizer: Sendable {
    /// The BCP-47 language codes this recognizer transcribes, such as `["en"]`.
    var supportedLanguages: Set<String> { get }

    /// Starts decoding a new stretch of speech.
    ///
    /// - Parameter language: a BCP-47 code from ``supportedLanguages``; a region
    ///   (`"en-US"`) is accepted where its primary language (`"en"`) is supported.
    func makeSession(language: String) async throws -> any RecognitionSession
}

/// One stretch of speech being decoded.
///
/// Feed it 16 kHz mono PCM (``PCM/speechSampleRate``) in order, then call ``finish()`` once.
public protocol RecognitionSession: Sendable {
    /// Decodes more audio and returns the current partial hypothesis of the whole stretch so
    /// far, or `nil` where the engine has none yet or produces no partial results.
    func feed(_ samples: [Int16]) async throws -> String?

    /// Ends the stretch of speech and returns its final transcript (empty when nothing was
    /// recognized). The session takes no audio afterwards.
    func finish() async throws -> String

    /// Whether the final transcript is better than the partial hypotheses and cheap to get, so
    /// that a stream of speech is best decoded in sessions cut at its short pauses (a final pass
    /// at every pause) rather than in one long session read from its partials.
    var prefersCutsAtPauses: Bool { get }

    /// The most words a committed unit should hold with this engine, where it is fewer than the
    /// server's `unitWords`: an engine whose hypotheses settle words later than the others'
    /// makes the first words of a long unit wait longer for its last.
    var unitWordLimit: Int? { get }
}

extension RecognitionSession {
    /// Most engines refine little in their final pass, or pay to start a session (a connection,
    /// a decode of the whole stretch): one session a segment.
    public var prefersCutsAtPauses: Bool { false }

    public var unitWordLimit: Int? { nil }
}
