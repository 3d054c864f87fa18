import DragomanSpeech
import DragomanStore
import Foundation
import Synchronization

/// The glossary of each session, set by its speaker over HTTP (`PUT /v1/sessions/{id}/glossary`)
/// and read by the session's translations. Once `share(through:)` gave it the store, glossaries
/// live there, like the rest of a session: a PUT on one node reaches the translations of every
/// node within `freshness`, they survive a restart, and they go when their session ends. Without
/// a store it keeps them in memory.
public actor GlossaryBook {
    /// How long a glossary read from the store serves before it is read again: how soon a change
    /// made on another node reaches this node's translations.
    public static let freshness: Duration = .seconds(2)
    /// A glossary nobody read for this long (its session ended, or stopped translating) is
    /// dropped from memory; the store still has it.
    static let forgetAfter: Duration = .seconds(600)

    private struct Entry {
        var glossary: Glossary
        var readAt: ContinuousClock.Instant
    }

    private var entries: [String: Entry] = [:]
    private var prunedAt = ContinuousClock.now
    private nonisolated let shared = Mutex<(any DragomanStore)?>(nil)

    public init() {}

    /// Keeps the glossaries in `store`, shared with every node on it.
    public nonisolated func share(through store: any DragomanStore) {
        shared.withLock { $0 = store }
    }

    /// The session's glossary; empty when none is set. While the store does not answer, the one
    /// last read goes on serving.
    public func glossary(for sessionID: String) async -> Glossary {
        let now = ContinuousClock.now
        guard let store = shared.withLock({ $0 }) else { return entries[sessionID]?.glossary ?? .empty }
        if let entry = entries[sessionID], now - entry.readAt < Self.freshness { return entry.glossary }
        do {
            let document = try await store.glossary(sessionId: sessionID)
            let glossary = try document.map { try JSONDecoder().decode(Glossary.self, from: Data($0.utf8)) } ?? .empty
            remember(glossary, for: sessionID)
            return glossary
        } catch {
            return entries[sessionID]?.glossary ?? .empty
        }
    }

    /// Sets the session's glossary (an empty one removes it).
    /// - Throws: the store's error; the glossary is then unchanged.
    public func set(_ glossary: Glossary, for sessionID: String) async throws {
        if let store = shared.withLock({ $0 }) {
            let document = glossary.isEmpty ? nil : String(decoding: try JSONEncoder().encode(glossary), as: UTF8.self)
            try await store.setGlossary(sessionId: sessionID, document: document)
        }
        remember(glossary, for: sessionID)
    }

    private func remember(_ glossary: Glossary, for sessionID: String) {
        let now = ContinuousClock.now
        entries[sessionID] = Entry(glossary: glossary, readAt: now)
        // Only a shared book may forget: it reads the store again when asked.
        guard shared.withLock({ $0 }) != nil, now - prunedAt > Self.freshness else { return }
        prunedAt = now
        entries = entries.filter { now - $0.value.readAt < Self.forgetAfter }
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
