import DragomanServer
import DragomanSpeech
import Foundation

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

    /// Quiet room noise, a 440 Hz tone of `seconds`, then `pause` seconds of room noise again, at
    /// 16 kHz: one segment of "speech" for the segmenter, which measures speech against the noise.
    static func utterance(seconds: Double = 0.8, pause: Double = 0.7) -> [Int16] {
        func noise(_ seconds: Double) -> [Int16] { (0..<Int(seconds * 16_000)).map { _ in Int16.random(in: -20...20) } }
        let tone = (0..<Int(seconds * 16_000)).map { Int16(8_000 * sin(2 * Double.pi * 440 * Double($0) / 16_000)) }
        return noise(0.3) + tone + noise(pause)
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
