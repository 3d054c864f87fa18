import DragomanCore
import DragomanStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /v1/sessions/{id}/transcript?language=xx&format=json|txt|vtt|srt`: the stored final
/// segments. Open like the session itself; a session with a passcode needs it (`passcode=`) or
/// the owner's key, and `transcriptOpenHours` after a session ended, one without a passcode
/// needs the owner's key, so old transcripts cannot be swept by guessing ids.
struct TranscriptController: Sendable {
    let store: any DragomanStore
    let authenticator: Authenticator
    let settings: ServerConfiguration

    /// The passcode of a session that has one, outside the URL.
    static let passcodeHeader = HTTPField.Name("Dragoman-Passcode")!

    func addRoutes(to router: some RouterMethods<DragomanRequestContext>) {
        router.get("v1/sessions/{id}/transcript", use: export)
    }

    @Sendable func export(request: Request, context: DragomanRequestContext) async throws -> Response {
        let record = try await store.session(named: try context.parameters.require("id"))
        let query = request.uri.formQuery
        // The header keeps the passcode out of URLs, which proxies log; the query form stays.
        let passcode = request.headers[Self.passcodeHeader] ?? query["passcode"]
        try await checkAccess(to: record, passcode: passcode, request: request)
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

    /// Anyone may read the transcript of a session without a passcode until `transcriptOpenHours`
    /// after it ended, and with the passcode that of a session with one; the owner's key always.
    /// - Throws: 401 otherwise (a failed guess); `TemporarilyUnavailable` when the key could not
    ///   be checked.
    private func checkAccess(to record: SessionRecord, passcode: String?, request: Request) async throws {
        if let hash = record.passcodeHash {
            if let passcode, Secrets.passcode(passcode, matches: hash) { return }
        } else if !isClosed(record) {
            return
        }
        let key: KeyRecord?
        do {
            key = try await authenticator.speaker(from: request)
        } catch let error as any TemporarilyUnavailable {
            throw error
        } catch {
            key = nil
        }
        guard key?.id == record.ownerKeyID else {
            throw HTTPError(
                .unauthorized,
                message: record.passcodeHash == nil
                    ? "This session ended long ago; its transcript needs the owner's key."
                    : "This session's transcript needs its passcode.")
        }
    }

    /// Whether the session ended more than `transcriptOpenHours` ago.
    private func isClosed(_ record: SessionRecord) -> Bool {
        guard let endedAt = record.endedAt else { return false }
        return Date().timeIntervalSince(endedAt) >= settings.transcriptOpenHours * 3_600
    }
}
