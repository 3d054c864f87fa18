import DragomanCore
import Foundation

/// Translation by a chat model, `POST /chat/completions` of an OpenAI-compatible API. The
/// glossary goes into the instructions, so the model itself keeps or forces the terms.
public struct OpenAICompatibleTranslator: Translator {
    public let api: OpenAICompatibleAPI
    /// `gpt-4o-mini`, or what the server calls its model.
    public let model: String

    public init(api: OpenAICompatibleAPI, model: String) {
        self.api = api
        self.model = model
    }

    public var supportedPairs: Set<TranslationPair> {
        TranslationPair.all(among: api.languages)
    }

    public func translate(_ text: String, from source: String, to target: String) async throws -> String {
        try await translate(text, from: source, to: target, glossary: .empty)
    }

    public func translate(_ text: String, from source: String, to target: String, glossary: Glossary) async throws -> String {
        let target = try api.check(target)
        let answer = try await api.client.json(
            api.url("chat/completions"), headers: api.authorization,
            body: [
                "model": .string(model),
                "temperature": .int(0),
                "messages": [
                    ["role": "system", "content": .string(Self.instructions(from: try api.check(source), to: target, glossary: glossary, text: text))],
                    ["role": "user", "content": .string(text)],
                ],
            ])
        return try api.client.text(in: answer, at: ["choices", "0", "message", "content"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The system prompt: translate, nothing else, and the glossary's terms that occur in `text`.
    static func instructions(from source: String, to target: String, glossary: Glossary, text: String) -> String {
        var lines = [
            "You translate live speech, one sentence or a few at a time, from the language with code \(source) into the language with code \(target).",
            "Answer with the translation only: no notes, no quotes, no explanations.",
        ]
        let terms = glossary.terms(in: text)
        let kept = terms.filter { $0.rendering(in: target) == $0.source }.map { "\"\($0.source)\"" }
        if !kept.isEmpty { lines.append("Keep these terms exactly as they are: \(kept.joined(separator: ", ")).") }
        for term in terms where term.rendering(in: target) != term.source {
            lines.append("Translate \"\(term.source)\" as \"\(term.rendering(in: target))\".")
        }
        return lines.joined(separator: "\n")
    }
}
