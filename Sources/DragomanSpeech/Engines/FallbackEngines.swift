import Logging
import Synchronization

/// Engines tried in order for one language: when one fails to start a recognition, a
/// translation or a synthesis, the next is used, and the one that failed is passed over for a
/// while (`cooldown`) so that every segment does not wait on an engine that is down.
final class EngineChain<Engine: Sendable>: Sendable {
    private let engines: [(name: String, engine: Engine)]
    private let cooldown: Duration
    private let logger: Logger
    private let failedAt = Mutex<[Int: ContinuousClock.Instant]>([:])

    init(_ engines: [(name: String, engine: Engine)], cooldown: Duration, logger: Logger) {
        self.engines = engines
        self.cooldown = cooldown
        self.logger = logger
    }

    var first: Engine { engines[0].engine }

    /// `body` on the first engine that `serves` and has not failed lately (or, when all of those
    /// have, on each of them in turn anyway).
    func run<Value>(serves: (Engine) -> Bool, _ body: (Engine) async throws -> Value) async throws -> Value {
        let now = ContinuousClock.now
        let candidates = engines.indices.filter { serves(engines[$0].engine) }
        let resting = failedAt.withLock { failed in Set(candidates.filter { failed[$0].map { now - $0 < cooldown } ?? false }) }
        let order = candidates.filter { !resting.contains($0) } + candidates.filter { resting.contains($0) }
        var lastError: (any Error)?
        for index in order {
            do {
                let value = try await body(engines[index].engine)
                failedAt.withLock { _ = $0.removeValue(forKey: index) }
                return value
            } catch {
                failedAt.withLock { $0[index] = .now }
                if index != order.last { logger.warning("Engine failed; falling back", metadata: ["engine": "\(engines[index].name)", "error": "\(error)"]) }
                lastError = error
            }
        }
        throw lastError ?? UnroutedLanguage(language: "")
    }
}

/// Recognizers tried in order.
public struct FallbackRecognizer: SpeechRecognizer {
    private let chain: EngineChain<any SpeechRecognizer>

    public init(_ engines: [(name: String, engine: any SpeechRecognizer)], cooldown: Duration = .seconds(60), logger: Logger) {
        chain = EngineChain(engines, cooldown: cooldown, logger: logger)
    }

    /// The first engine's languages: the others stand in for it.
    public var supportedLanguages: Set<String> { chain.first.supportedLanguages }

    public func makeSession(language: String) async throws -> any RecognitionSession {
        try await chain.run(serves: { $0.supportedLanguages.contains(LanguageTag.primary(language)) }) { try await $0.makeSession(language: language) }
    }
}

/// Synthesizers tried in order.
public struct FallbackSynthesizer: SpeechSynthesizer {
    private let chain: EngineChain<any SpeechSynthesizer>

    public init(_ engines: [(name: String, engine: any SpeechSynthesizer)], cooldown: Duration = .seconds(60), logger: Logger) {
        chain = EngineChain(engines, cooldown: cooldown, logger: logger)
    }

    public var supportedLanguages: Set<String> { chain.first.supportedLanguages }

    public func synthesize(_ text: String, language: String) async throws -> SynthesizedSpeech {
        try await chain.run(serves: { $0.supportedLanguages.contains(LanguageTag.primary(language)) }) { try await $0.synthesize(text, language: language) }
    }
}

/// Translators tried in order.
public struct FallbackTranslator: Translator {
    private let chain: EngineChain<any Translator>

    public init(_ engines: [(name: String, engine: any Translator)], cooldown: Duration = .seconds(60), logger: Logger) {
        chain = EngineChain(engines, cooldown: cooldown, logger: logger)
    }

    public var supportedPairs: Set<TranslationPair> { chain.first.supportedPairs }

    public func translate(_ text: String, from source: String, to target: String) async throws -> String {
        try await chain.run(serves: { Self.serves($0, source, target) }) { try await $0.translate(text, from: source, to: target) }
    }

    public func translate(_ text: String, from source: String, to target: String, glossary: Glossary) async throws -> String {
        try await chain.run(serves: { Self.serves($0, source, target) }) { try await $0.translate(text, from: source, to: target, glossary: glossary) }
    }

    public func prepare(from source: String, to target: String) async throws {
        try await chain.first.prepare(from: source, to: target)
    }

    private static func serves(_ translator: any Translator, _ source: String, _ target: String) -> Bool {
        translator.supportedPairs.contains(TranslationPair(source: LanguageTag.primary(source), target: LanguageTag.primary(target)))
    }
}
