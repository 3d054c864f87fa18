/// A source and a target language, as BCP-47 codes.
public struct TranslationPair: Hashable, Sendable, CustomStringConvertible {
    /// The language translated from, such as `"en"`.
    public var source: String
    /// The language translated into, such as `"es"`.
    public var target: String

    /// Creates a pair from `source` into `target`.
    public init(source: String, target: String) {
        self.source = source
        self.target = target
    }

    public var description: String { "\(source)→\(target)" }
}

/// A text-to-text machine translation engine.
public protocol Translator: Sendable {
    /// Every pair this translator can translate, directly or through an intermediate language.
    var supportedPairs: Set<TranslationPair> { get }

    /// Translates `text` (typically one finished speech segment) from `source` into `target`.
    func translate(_ text: String, from source: String, to target: String) async throws -> String

    /// Translates `text` honouring `glossary`: its terms kept as they are or forced to their
    /// translation. The default does it by post-processing (`GlossaryPlaceholders`).
    func translate(_ text: String, from source: String, to target: String, glossary: Glossary) async throws -> String

    /// Loads what translating `source` into `target` needs, so that the first sentence is
    /// as fast as the rest; call it when a language gains its first listener.
    func prepare(from source: String, to target: String) async throws
}

extension Translator {
    /// Does nothing: for translators with nothing to load.
    public func prepare(from source: String, to target: String) async throws {}

    /// The languages `source` can be translated into.
    public func targetLanguages(from source: String) -> Set<String> {
        Set(supportedPairs.lazy.filter { $0.source == source }.map(\.target))
    }
}
