import DragomanCore
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /v1/sessions/{id}/audio/{name}.wav`: a unit of speech kept for the replaced design's
/// current listener app (docs/protocol.md, "Clients of the replaced design").
struct SpeechUnitController: Sendable {
    let units: SpeechUnits

    func addRoutes(to router: some RouterMethods<DragomanRequestContext>) {
        // The app fetches the file from its own site: `CrossOriginMiddleware` lets it read it.
        router.get("v1/sessions/:id/audio/:name") { _, context -> Response in
            let id = try context.parameters.require("id")
            let file = try context.parameters.require("name")
            guard file.hasSuffix(".wav"), let unit = await units.unit(named: String(file.dropLast(4)), sessionId: id) else {
                // A name is never reused: one that is not kept has expired (or never was).
                throw HTTPError(.gone, message: "This unit of speech is not kept (any more).")
            }
            let headers: HTTPFields = [.contentType: "audio/wav", .cacheControl: "private, max-age=\(unit.secondsLeft), immutable"]
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: unit.wav)))
        }
    }
}
