import DragomanServer
import DragomanSpeech

/// Engines that answer at once and load nothing, so server tests neither wait for nor depend on
/// the installed speech packages: English in; Spanish, French and Catalan out.
enum FakeEngines {
    static let sourceLanguages: Set<String> = ["en"]
    static let targetLanguages: Set<String> = ["es", "fr", "ca"]

    static var engines: SpeechEngines {
        SpeechEngines(recognizer: Recognizer(), translator: Translator(), synthesizer: Synthesizer())
    }

    /// Engines whose recognizer hears every segment of speech as "speech of N samples".
    static var transcribing: SpeechEngines {
        SpeechEngines(recognizer: CountingRecognizer(), translator: Translator(), synthesizer: Synthesizer())
    }

    /// Engines whose recognizer fails on every segment, for `ENGINE_FAILURE`.
    static var failingRecognition: SpeechEngines {
        SpeechEngines(recognizer: FailingRecognizer(), translator: Translator(), synthesizer: Synthesizer())
    }

    /// Engines whose recognizer hears the same sentence in every stretch of speech, so each
    /// segment the speaker sends becomes one final caption.
    static var speaking: SpeechEngines {
        SpeechEngines(recognizer: Recognizer(hears: "Good evening."), translator: Translator(), synthesizer: Synthesizer())
    }

    /// Engines whose recognizer hears "Good evening." in every stretch of speech but takes `delay`
    /// to finish each one, like a pipeline behind on the speech queued before it.
    static func slowRecognition(_ delay: Duration) -> SpeechEngines {
        SpeechEngines(recognizer: SlowRecognizer(delay: delay), translator: Translator(), synthesizer: Synthesizer())
    }

    struct SlowRecognizer: SpeechRecognizer {
        let delay: Duration
        var supportedLanguages: Set<String> { FakeEngines.sourceLanguages }
        func makeSession(language: String) async throws -> any RecognitionSession { SlowSession(delay: delay) }
    }

    struct SlowSession: RecognitionSession {
        let delay: Duration
        func feed(_ samples: [Int16]) async throws -> String? { nil }
        func finish() async throws -> String {
            try await Task.sleep(for: delay)
            return "Good evening."
        }
    }

    /// The error of `FailingRecognizer`.
    struct Broken: Error {}

    /// Cannot start a recognition session.
    struct FailingRecognizer: SpeechRecognizer {
        var supportedLanguages: Set<String> { FakeEngines.sourceLanguages }
        func makeSession(language: String) async throws -> any RecognitionSession { throw Broken() }
    }

    /// Hears the same text in every stretch of speech; by default nothing, as if it were silence.
    struct Recognizer: SpeechRecognizer {
        var hears = ""
        var supportedLanguages: Set<String> { FakeEngines.sourceLanguages }
        func makeSession(language: String) async throws -> any RecognitionSession { Session(hears: hears) }
    }

    struct Session: RecognitionSession {
        var hears: String
        func feed(_ samples: [Int16]) async throws -> String? { nil }
        func finish() async throws -> String { hears }
    }

    /// Names each segment by its length in samples.
    struct CountingRecognizer: SpeechRecognizer {
        var supportedLanguages: Set<String> { FakeEngines.sourceLanguages }
        func makeSession(language: String) async throws -> any RecognitionSession { CountingSession() }
    }

    actor CountingSession: RecognitionSession {
        private var samples = 0
        func feed(_ samples: [Int16]) async throws -> String? {
            self.samples += samples.count
            return nil
        }
        func finish() async throws -> String { "speech of \(samples) samples" }
    }

    /// Tags the text with the target language.
    struct Translator: DragomanSpeech.Translator {
        var supportedPairs: Set<TranslationPair> {
            Set(FakeEngines.targetLanguages.map { TranslationPair(source: "en", target: $0) })
        }
        func translate(_ text: String, from source: String, to target: String) async throws -> String { "[\(target)] \(text)" }
    }

    /// A tenth of a second of silence for any text.
    struct Synthesizer: SpeechSynthesizer {
        var supportedLanguages: Set<String> { ["es", "fr"] }
        func synthesize(_ text: String, language: String) async throws -> SynthesizedSpeech {
            let (stream, continuation) = AsyncThrowingStream.makeStream(of: [Int16].self)
            continuation.yield([Int16](repeating: 0, count: 1_600))
            continuation.finish()
            return SynthesizedSpeech(sampleRate: 16_000, chunks: stream)
        }
    }
}
