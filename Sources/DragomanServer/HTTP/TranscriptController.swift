import DragomanCore
import DragomanStore
import Hummingbird
import NIOCore

/// `GET /v1/sessions/{id}/transcript?language=xx&format=json|txt|vtt|srt`: the stored final
/// segments. Open like the session itself; a session with a passcode needs it (`passcode=`) or
/// the owner's key.
struct TranscriptController: Sendable {
    let store: any DragomanStore
    let authenticator: Authenticator

    func addRoutes(to router: Router<DragomanRequestContext>) {
        router.get("v1/sessions/{id}/transcript", use: export)
    }

    @Sendable func export(request: Request, context: DragomanRequestContext) async throws -> Response {
        let typed = try context.parameters.require("id")
        guard let id = SessionID.normalize(typed), let record = try await store.session(id: id) else {
            throw HTTPError(.notFound, message: "There is no session \(typed).")
        }
        let query = request.uri.formQuery
        if let hash = record.passcodeHash {
            let passcodeMatches = query["passcode"].map { Secrets.passcode($0, matches: hash) } ?? false
            if !passcodeMatches {
                let key = try? await authenticator.speaker(from: request)
                guard key?.id == record.ownerKeyID else { throw HTTPError(.unauthorized, message: "This session's transcript needs its passcode.") }
            }
        }
        let language =
            try query["language"].map { tag in
                guard let language = LanguageCode(tag) else { throw HTTPError(.badRequest, message: "\"\(tag)\" is not a language tag.") }
                return language
            } ?? record.sourceLanguage
        let formatName = query["format"] ?? "json"
        guard let format = TranscriptExport.Format(rawValue: formatName) else {
            throw HTTPError(.badRequest, message: "format must be json, txt, vtt or srt.")
        }
        let export = TranscriptExport(sessionId: record.id, language: language, segments: try await store.transcript(sessionId: record.id))
        var headers: HTTPFields = [.contentType: format.contentType]
        if format != .json {
            headers[.contentDisposition] = "attachment; filename=\"\(record.id)-\(language).\(format.rawValue)\""
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: export.render(format))))
    }
}
