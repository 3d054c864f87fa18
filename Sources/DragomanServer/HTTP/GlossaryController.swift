import DragomanCore
import DragomanSpeech
import DragomanStore
import Hummingbird

/// `/v1/sessions/{id}/glossary`: the terms a session's translations keep as they are or force
/// to a translation. Only the session's owner reads or sets it.
struct GlossaryController: Sendable {
    let book: GlossaryBook
    let authenticator: Authenticator

    /// Terms a glossary may hold, and characters a term may have: a glossary is matched
    /// against every segment.
    static let maximumTerms = 500
    static let maximumTermLength = 200

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
        let glossary: Glossary
        do {
            glossary = try await request.decode(as: Glossary.self, context: context)
        } catch {
            throw HTTPError(.badRequest, message: "The body must be {\"terms\": [{\"source\": TERM, \"translations\": {LANGUAGE: TRANSLATION}}]}.")
        }
        guard glossary.terms.count <= Self.maximumTerms else {
            throw HTTPError(.badRequest, message: "A glossary holds at most \(Self.maximumTerms) terms.")
        }
        let texts = glossary.terms.flatMap { [$0.source] + $0.translations.values }
        guard glossary.terms.allSatisfy({ !$0.source.trimmingCharacters(in: .whitespaces).isEmpty }),
            texts.allSatisfy({ $0.count <= Self.maximumTermLength })
        else {
            throw HTTPError(.badRequest, message: "Every term needs a source of 1 to \(Self.maximumTermLength) characters.")
        }
        await book.set(glossary, for: record.id)
        return glossary
    }
}

extension Glossary: ResponseEncodable {}
