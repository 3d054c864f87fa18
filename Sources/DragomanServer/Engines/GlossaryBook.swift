import DragomanSpeech

/// The glossary of each session, set by its speaker over HTTP (`PUT /v1/sessions/{id}/glossary`)
/// and read by the session's translations. Kept in memory: a restarted server starts without
/// glossaries, and a speaker's console sets its own again.
public actor GlossaryBook {
    private var glossaries: [String: Glossary] = [:]

    public init() {}

    public func glossary(for sessionID: String) -> Glossary {
        glossaries[sessionID] ?? .empty
    }

    public func set(_ glossary: Glossary, for sessionID: String) {
        glossaries[sessionID] = glossary.isEmpty ? nil : glossary
    }
}

/// A session's view of the configured translator: every translation honours the session's
/// glossary as it is when the segment is translated.
struct SessionGlossaryTranslator: Translator {
    let base: any Translator
    let sessionID: String
    let book: GlossaryBook

    var supportedPairs: Set<TranslationPair> { base.supportedPairs }

    func translate(_ text: String, from source: String, to target: String) async throws -> String {
        try await base.translate(text, from: source, to: target, glossary: await book.glossary(for: sessionID))
    }

    func prepare(from source: String, to target: String) async throws {
        try await base.prepare(from: source, to: target)
    }
}
