import Foundation

/// How a glossary is honoured by a translator that cannot take one (Apertium, LibreTranslate,
/// Amazon Translate without a custom terminology): before translation each term is replaced by
/// a placeholder that translators pass through as an unknown word; after it, each placeholder
/// becomes the term's rendering in the target language.
struct GlossaryPlaceholders {
    /// The text to translate, terms replaced.
    let protectedText: String
    private let renderings: [(placeholder: String, rendering: String)]

    init(_ text: String, glossary: Glossary, target: String) {
        var protected = text
        var renderings: [(String, String)] = []
        for term in glossary.terms(in: text) {
            // Letters and a number: one unknown word to every engine tried, never translated.
            let placeholder = "ZQX\(renderings.count)Q"
            protected = term.pattern.stringByReplacingMatches(
                in: protected, range: NSRange(protected.startIndex..., in: protected), withTemplate: placeholder)
            renderings.append((placeholder, term.rendering(in: target)))
        }
        protectedText = protected
        self.renderings = renderings
    }

    /// The translation with each placeholder replaced by its term's rendering; an engine may
    /// have changed a placeholder's case, so it is matched ignoring case.
    func restore(_ translation: String) -> String {
        var restored = translation
        for (placeholder, rendering) in renderings {
            let pattern = try! NSRegularExpression(pattern: "\\b" + placeholder + "\\b", options: [.caseInsensitive])
            restored = pattern.stringByReplacingMatches(
                in: restored, range: NSRange(restored.startIndex..., in: restored),
                withTemplate: NSRegularExpression.escapedTemplate(for: rendering))
        }
        return restored
    }
}

extension Translator {
    /// Honours the glossary by post-processing: terms replaced by placeholders before, and by
    /// their renderings after. Engines that can take a glossary themselves implement this.
    public func translate(_ text: String, from source: String, to target: String, glossary: Glossary) async throws -> String {
        guard !glossary.isEmpty else { return try await translate(text, from: source, to: target) }
        let placeholders = GlossaryPlaceholders(text, glossary: glossary, target: target)
        return placeholders.restore(try await translate(placeholders.protectedText, from: source, to: target))
    }
}
