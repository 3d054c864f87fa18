import Foundation

/// Terms a session wants translated its own way: names kept as they are ("Dragoman",
/// "St Mary's") or forced to a translation per language ("Main Street" → es "Calle Mayor").
public struct Glossary: Sendable, Equatable, Codable {
    /// One term of the source language.
    public struct Term: Sendable, Equatable, Codable {
        /// The term as the speaker says it; matched as whole words, ignoring case.
        public var source: String
        /// Its translation per target language (BCP-47); a language without one keeps the term as it is.
        public var translations: [String: String]

        public init(source: String, translations: [String: String] = [:]) {
            self.source = source
            self.translations = translations
        }

        private enum CodingKeys: String, CodingKey { case source, translations }

        /// `translations` may be left out: the term is kept as it is in every language.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            source = try container.decode(String.self, forKey: .source)
            translations = try container.decodeIfPresent([String: String].self, forKey: .translations) ?? [:]
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(source, forKey: .source)
            if !translations.isEmpty { try container.encode(translations, forKey: .translations) }
        }

        /// What the term becomes in `language`.
        public func rendering(in language: String) -> String {
            translations[language] ?? translations[LanguageTag.primary(language)] ?? source
        }
    }

    public var terms: [Term]

    public init(terms: [Term] = []) {
        self.terms = terms
    }

    public static let empty = Glossary()
    public var isEmpty: Bool { terms.isEmpty }

    /// The terms that occur in `text`, longest first so that "Main Street Market" wins over "Main Street".
    public func terms(in text: String) -> [Term] {
        terms.filter { !$0.source.isEmpty && $0.pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil }
            .sorted { $0.source.count > $1.source.count }
    }
}

extension Glossary.Term {
    /// The term as whole words, ignoring case.
    var pattern: NSRegularExpression {
        // Escaped, so the pattern always compiles.
        try! NSRegularExpression(pattern: "\\b" + NSRegularExpression.escapedPattern(for: source) + "\\b", options: [.caseInsensitive])
    }
}
