import DragomanCore
import DragomanStore
import Foundation
import Hummingbird

/// `/v1/sessions`: create, read, list and end sessions over HTTP.
struct SessionsController: Sendable {
    let registry: SessionRegistry
    let store: any DragomanStore
    let catalog: LanguageCatalog
    let authenticator: Authenticator
    let settings: ServerConfiguration

    /// `POST /v1/sessions`.
    struct CreateRequest: Decodable {
        var title: String?
        var speakerName: String?
        var sourceLanguage: String
        var passcode: String?
        var targetLanguages: [String]?
        var qualityTier: String?
    }

    func addRoutes(to router: some RouterMethods<DragomanRequestContext>) {
        let sessions = router.group("v1/sessions")
        sessions.post(use: create)
        sessions.get(use: listOwn)
        sessions.get("{id}", use: show)
        sessions.delete("{id}", use: end)
    }

    @Sendable func create(request: Request, context: DragomanRequestContext) async throws -> EditedResponse<OwnedSession> {
        let key = try await authenticator.speaker(from: request)
        let body: CreateRequest
        do {
            body = try await request.decode(as: CreateRequest.self, context: context)
        } catch {
            throw HTTPError(.badRequest, message: "The body must be JSON with at least \"sourceLanguage\".")
        }
        guard let source = LanguageCode(body.sourceLanguage), catalog.canRecognize(source) else {
            throw HTTPError(.badRequest, message: "sourceLanguage \"\(body.sourceLanguage)\" cannot be recognized here; see /v1/languages.")
        }
        var targets: [LanguageCode] = []
        for tag in body.targetLanguages ?? [] {
            guard let target = LanguageCode(tag), catalog.canDeliver(target, from: source) else {
                throw HTTPError(.badRequest, message: "target language \"\(tag)\" is not available; see /v1/languages.")
            }
            targets.append(target)
        }
        let title = body.title?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let speakerName = body.speakerName?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard speakerName.count <= 100 else { throw HTTPError(.badRequest, message: "The speaker's name is limited to 100 characters.") }
        let passcode = body.passcode.flatMap { $0.isEmpty ? nil : $0 }
        let session: LiveSession
        do {
            session = try await registry.create(
                title: title.isEmpty ? "Live session" : title, speakerName: speakerName.isEmpty ? nil : speakerName, sourceLanguage: source,
                targetLanguages: targets, passcode: passcode, owner: key, qualityTier: body.qualityTier)
        } catch let refusal as ProtocolError where refusal.code == .invalidMessage || refusal.code == .rateLimitExceeded {
            throw HTTPError(refusal.code == .invalidMessage ? .badRequest : .tooManyRequests, message: refusal.message)
        }
        let summary = ownerView(session.record, status: await session.status, authority: request.head.authority)
        return EditedResponse(status: .created, headers: [.location: "/v1/sessions/\(session.id)"], response: summary)
    }

    @Sendable func listOwn(request: Request, context: DragomanRequestContext) async throws -> OwnedSessionList {
        let key = try await authenticator.speaker(from: request)
        let records = try await store.sessions(ownedBy: key.id, includeEnded: false)
        return OwnedSessionList(sessions: records.map { ownerView($0, status: $0.status, authority: request.head.authority) })
    }

    /// Public facts only: what a listener needs to pick a language and join.
    @Sendable func show(request: Request, context: DragomanRequestContext) async throws -> PublicSession {
        let record = try await store.session(named: try context.parameters.require("id"))
        return PublicSession(
            sessionId: record.id, title: record.title, speakerName: record.speakerName, sourceLanguage: record.sourceLanguage, status: record.status,
            passcodeRequired: record.passcodeHash != nil, languages: catalog.deliverable(from: record.sourceLanguage).map(LanguageDescription.init))
    }

    @Sendable func end(request: Request, context: DragomanRequestContext) async throws -> Response {
        let record = try await authenticator.ownedSession(request, context: context)
        switch try await registry.lookup(record.id) {
        case .live(let session): await session.end(.endedBySpeaker)
        case .ended: throw HTTPError(.gone, message: "Session \(record.id) has already ended.")
        case .notFound: throw HTTPError(.notFound, message: "There is no session \(record.id).")
        }
        return Response(status: .noContent)
    }

    /// What a session's owner sees, with the listener page on the host the request named.
    private func ownerView(_ record: SessionRecord, status: SessionStatus, authority: String?) -> OwnedSession {
        OwnedSession(
            sessionId: record.id, title: record.title, sourceLanguage: record.sourceLanguage, targetLanguages: record.targetLanguages, status: status,
            passcodeRequired: record.passcodeHash != nil, qualityTier: record.qualityTier ?? "standard", createdAt: record.createdAt.formatted(.iso8601),
            joinUrl: settings.joinURL(for: record.id, authority: authority))
    }
}
