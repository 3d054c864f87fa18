import Synchronization

/// Offline English recognition with CMU pocketsphinx, in process.
///
/// Loading a model takes a moment and a decoder can decode only one stream at a time, so the
/// recognizer keeps a small pool of idle decoders: a session borrows one for its stretch of
/// speech and returns it when finished, and concurrent sessions each get their own.
///
/// A decoder's live cepstral mean normalization adapts to the audio it has heard, across
/// utterances. The pool hands out the most recently returned decoder first, so one speaker's
/// consecutive segments usually keep the same, adapted decoder; but results can differ
/// slightly from run to run when several streams share the pool.
public final class PocketSphinxRecognizer: SpeechRecognizer {
    /// The model files of one language.
    public struct Model: Sendable, Equatable {
        /// The acoustic model directory (`-hmm`).
        public var acousticModel: String
        /// The language model file (`-lm`).
        public var languageModel: String
        /// The pronunciation dictionary (`-dict`).
        public var dictionary: String
        /// The BCP-47 code of the language the model recognizes.
        public var language: String

        /// Names a model's files.
        public init(acousticModel: String, languageModel: String, dictionary: String, language: String) {
            self.acousticModel = acousticModel
            self.languageModel = languageModel
            self.dictionary = dictionary
            self.language = language
        }

        /// US English, as installed by Debian's `pocketsphinx-en-us` package.
        public static let debianUSEnglish = Model(
            acousticModel: "/usr/share/pocketsphinx/model/en-us/en-us",
            languageModel: "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin",
            dictionary: "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict",
            language: "en"
        )
    }

    /// The model every decoder loads.
    public let model: Model
    private let maximumIdleDecoders: Int
    private let idleDecoders: Mutex<[PocketSphinxDecoder]>

    /// Loads `model` once now, so a missing or broken installation fails at startup rather
    /// than at the first utterance.
    ///
    /// - Parameter maximumIdleDecoders: how many decoders to keep loaded when no session
    ///   needs them (each holds its own copy of the model).
    public init(model: Model = .debianUSEnglish, maximumIdleDecoders: Int = 2) throws {
        self.model = model
        self.maximumIdleDecoders = maximumIdleDecoders
        idleDecoders = Mutex([try PocketSphinxDecoder(model: model)])
    }

    public var supportedLanguages: Set<String> { [model.language] }

    public func makeSession(language: String) throws -> any RecognitionSession {
        guard LanguageTag.primary(language) == model.language else {
            throw PocketSphinxError.unsupportedLanguage(language)
        }
        let decoder = try idleDecoders.withLock { $0.popLast() } ?? PocketSphinxDecoder(model: model)
        return try PocketSphinxSession(decoder: decoder, recognizer: self)
    }

    /// Takes back a decoder whose session is over.
    func recycle(_ decoder: PocketSphinxDecoder) {
        idleDecoders.withLock { idle in
            if idle.count < maximumIdleDecoders { idle.append(decoder) }
        }
    }
}
