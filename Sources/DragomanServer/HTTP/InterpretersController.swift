import DragomanCore
import DragomanStore
import Foundation
import Hummingbird

/// `/v1/sessions/{id}/interpreters`: the owner of a session creates, lists and revokes the
/// credentials of its interpreters, each scoped to the session and one language.
struct InterpretersController: Sendable {
    let registry: SessionRegistry
    let store: any DragomanStore
    let catalog: LanguageCatalog
    let authenticator: Authenticator
    let settings: ServerConfiguration

    /// The longest name an interpreter may be given.
    static let maximumNameLength = 100

    /// `POST /v1/sessions/{id}/interpreters`.
    struct CreateRequest: Decodable {
        var language: String
        var name: String
    }

    func addRoutes(to router: some RouterMethods<DragomanRequestContext>) {
        let interpreters = router.group("v1/sessions/{id}/interpreters")
        interpreters.post(use: create)
        interpreters.get(use: list)
        interpreters.delete("{interpreterId}", use: revoke)
    }

    @Sendable func create(request: Request, context: DragomanRequestContext) async throws -> EditedResponse<CreatedInterpreter> {
        let record = try await openSession(request, context)
        let body: CreateRequest
        do {
            body = try await request.decode(as: CreateRequest.self, context: context)
        } catch {
            throw HTTPError(.badRequest, message: "The body must be JSON with \"language\" and \"name\".")
        }
        guard let language = LanguageCode(body.language), language != record.sourceLanguage,
            catalog.canDeliver(language, from: record.sourceLanguage)
        else {
            throw HTTPError(.badRequest, message: "\"\(body.language)\" is not a language listeners of this session can pick, other than its own.")
        }
        let name = body.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...Self.maximumNameLength).contains(name.count) else {
            throw HTTPError(.badRequest, message: "The name must have 1 to \(Self.maximumNameLength) characters.")
        }
        let created = try await store.createInterpreterPass(sessionId: record.id, language: language, name: name)
        let pass = created.pass
        let view = CreatedInterpreter(
            interpreterId: pass.id, sessionId: record.id, language: pass.language.rawValue, name: pass.name, token: created.secret,
            interpretUrl: settings.interpretURL(for: record.id, token: created.secret, authority: request.head.authority),
            createdAt: pass.createdAt.formatted(.iso8601))
        return EditedResponse(status: .created, response: view)
    }

    @Sendable func list(request: Request, context: DragomanRequestContext) async throws -> InterpreterList {
        let record = try await authenticator.ownedSession(request, context: context)
        let presence = await liveSession(record.id)?.interpreterPresence() ?? (connected: [], onAir: [])
        let interpreters = try await store.interpreterPasses(sessionId: record.id).map { pass in
            ListedInterpreter(
                interpreterId: pass.id, language: pass.language.rawValue, name: pass.name, createdAt: pass.createdAt.formatted(.iso8601),
                connected: presence.connected.contains(pass.id), onAir: presence.onAir.contains(pass.id))
        }
        return InterpreterList(interpreters: interpreters)
    }

    @Sendable func revoke(request: Request, context: DragomanRequestContext) async throws -> Response {
        let record = try await authenticator.ownedSession(request, context: context)
        let passID = try context.parameters.require("interpreterId")
        guard try await store.revokeInterpreterPass(id: passID, sessionId: record.id) else {
            throw HTTPError(.notFound, message: "Session \(record.id) has no interpreter \(passID).")
        }
        await liveSession(record.id)?.revokeInterpreter(passID: passID)
        return Response(status: .noContent)
    }

    /// The owned session, refusing one that has ended: its interpreters cannot connect any more.
    private func openSession(_ request: Request, _ context: DragomanRequestContext) async throws -> SessionRecord {
        let record = try await authenticator.ownedSession(request, context: context)
        guard record.status != .ended else { throw HTTPError(.gone, message: "Session \(record.id) has ended.") }
        return record
    }

    private func liveSession(_ id: String) async -> LiveSession? {
        guard case .live(let session) = try? await registry.lookup(id) else { return nil }
        return session
    }
}
