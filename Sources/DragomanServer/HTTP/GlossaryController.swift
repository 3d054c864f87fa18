import DragomanCore
import DragomanSpeech
import DragomanStore
import Foundation
import Hummingbird

/// `/v1/sessions/{id}/glossary`: the terms a session's translations keep as they are or force
/// to a translation. Only the session's owner reads or sets it. It is kept in the store, so every
/// node translating the session uses it (`GlossaryBook`).
struct GlossaryController: Sendable {
    let book: GlossaryBook
    let authenticator: Authenticator

    /// Terms a glossary may hold, characters a term or translation may have, and languages a
    /// term may name: a glossary is matched against every segment, and stored.
    static let maximumTerms = 500
    static let maximumTermLength = 200
    static let maximumLanguagesPerTerm = 40
    /// The largest body a PUT may send (413 past it).
    static let maximumBodyBytes = 256 * 1024

    func addRoutes(to router: some RouterMethods<DragomanRequestContext>) {
        let glossary = router.group("v1/sessions/{id}/glossary")
        glossary.get(use: show)
        glossary.put(use: replace)
    }

    @Sendable func show(request: Request, context: DragomanRequestContext) async throws -> Glossary {
        await book.glossary(for: try await authenticator.ownedSession(request, context: context).id)
    }

    @Sendable func replace(request: Request, context: DragomanRequestContext) async throws -> Glossary {
        let record = try await authenticator.ownedSession(request, context: context)
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: Self.maximumBodyBytes)
        } catch {
            throw HTTPError(.contentTooLarge, message: "A glossary is at most \(Self.maximumBodyBytes / 1024) KiB of JSON.")
        }
        let glossary: Glossary
        do {
            glossary = try JSONDecoder().decode(Glossary.self, from: Data(body.readableBytesView))
        } catch {
            throw HTTPError(.badRequest, message: "The body must be {\"terms\": [{\"source\": TERM, \"translations\": {LANGUAGE: TRANSLATION}}]}.")
        }
        try Self.check(glossary)
        do {
            try await book.set(glossary, for: record.id)
        } catch {
            throw StoreUnavailable()
        }
        return glossary
    }

    /// - Throws: 400 naming the bound a glossary passes.
    private static func check(_ glossary: Glossary) throws {
        guard glossary.terms.count <= maximumTerms else {
            throw HTTPError(.badRequest, message: "A glossary holds at most \(maximumTerms) terms.")
        }
        let texts = glossary.terms.flatMap { [$0.source] + $0.translations.values }
        guard glossary.terms.allSatisfy({ !$0.source.trimmingCharacters(in: .whitespaces).isEmpty }), texts.allSatisfy({ $0.count <= maximumTermLength })
        else {
            throw HTTPError(.badRequest, message: "Every term needs a source of 1 to \(maximumTermLength) characters, and translations of at most as many.")
        }
        guard glossary.terms.allSatisfy({ $0.translations.count <= maximumLanguagesPerTerm && $0.translations.keys.allSatisfy(Self.isLanguageTag) })
        else {
            throw HTTPError(.badRequest, message: "A term's translations are keyed by language tags (such as \"es\"), at most \(maximumLanguagesPerTerm).")
        }
    }

    private static func isLanguageTag(_ tag: String) -> Bool {
        tag.count <= 35 && LanguageCode(tag) != nil
    }
}

extension Glossary: ResponseEncodable {}
