/// Engines chosen per language: a default engine for every language it supports, and other
/// engines for the languages named. Built once at start from the configuration.
enum LanguageRoutes {
    /// The engine of each language: the named ones where their engine supports them, the
    /// default for every other language it supports.
    static func resolve<Engine>(
        defaultEngine: Engine?, byLanguage: [String: Engine], languages: (Engine) -> Set<String>
    ) -> [String: Engine] {
        var routes: [String: Engine] = [:]
        if let defaultEngine {
            for language in languages(defaultEngine) where byLanguage[language] == nil { routes[language] = defaultEngine }
        }
        for (language, engine) in byLanguage where languages(engine).contains(language) { routes[language] = engine }
        return routes
    }
}

/// A recognizer per source language.
public struct LanguageRoutedRecognizer: SpeechRecognizer {
    private let routes: [String: any SpeechRecognizer]

    public init(defaultEngine: (any SpeechRecognizer)?, byLanguage: [String: any SpeechRecognizer]) {
        routes = LanguageRoutes.resolve(defaultEngine: defaultEngine, byLanguage: byLanguage) { $0.supportedLanguages }
    }

    public var supportedLanguages: Set<String> { Set(routes.keys) }

    public func makeSession(language: String) async throws -> any RecognitionSession {
        guard let engine = routes[LanguageTag.primary(language)] else { throw UnroutedLanguage(language: language) }
        return try await engine.makeSession(language: language)
    }
}

/// A synthesizer per target language.
public struct LanguageRoutedSynthesizer: SpeechSynthesizer {
    private let routes: [String: any SpeechSynthesizer]

    public init(defaultEngine: (any SpeechSynthesizer)?, byLanguage: [String: any SpeechSynthesizer]) {
        routes = LanguageRoutes.resolve(defaultEngine: defaultEngine, byLanguage: byLanguage) { $0.supportedLanguages }
    }

    public var supportedLanguages: Set<String> { Set(routes.keys) }

    public func synthesize(_ text: String, language: String) async throws -> SynthesizedSpeech {
        guard let engine = routes[LanguageTag.primary(language)] else { throw UnroutedLanguage(language: language) }
        return try await engine.synthesize(text, language: language)
    }
}

/// A translator per target language.
public struct LanguageRoutedTranslator: Translator {
    private let routes: [String: any Translator]
    public let supportedPairs: Set<TranslationPair>

    public init(defaultEngine: (any Translator)?, byLanguage: [String: any Translator]) {
        let routes = LanguageRoutes.resolve(defaultEngine: defaultEngine, byLanguage: byLanguage) { Set($0.supportedPairs.map(\.target)) }
        self.routes = routes
        supportedPairs = Set(routes.flatMap { target, engine in engine.supportedPairs.filter { $0.target == target } })
    }

    public func translate(_ text: String, from source: String, to target: String, glossary: Glossary) async throws -> String {
        try await engine(for: target).translate(text, from: source, to: target, glossary: glossary)
    }

    public func translate(_ text: String, from source: String, to target: String) async throws -> String {
        try await engine(for: target).translate(text, from: source, to: target)
    }

    public func prepare(from source: String, to target: String) async throws {
        try await engine(for: target).prepare(from: source, to: target)
    }

    private func engine(for target: String) throws -> any Translator {
        guard let engine = routes[LanguageTag.primary(target)] ?? routes[target] else { throw UnroutedLanguage(language: target) }
        return engine
    }
}

/// No configured engine serves this language.
public struct UnroutedLanguage: Error, CustomStringConvertible {
    public let language: String
    public var description: String { "no configured engine serves language \(language)" }
}
