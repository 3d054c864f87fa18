import DragomanCore
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /v1/sessions/{id}/audio/{name}.wav`: a unit of speech kept for the replaced design's
/// current listener app (docs/protocol.md, "Clients of the replaced design").
struct SpeechUnitController: Sendable {
    let units: SpeechUnits
    let addressGuard: AddressGuard

    func addRoutes(to router: Router<DragomanRequestContext>) {
        router.get("v1/sessions/:id/audio/:name") { request, context -> Response in
            let id = try context.parameters.require("id")
            let file = try context.parameters.require("name")
            guard file.hasSuffix(".wav"), let unit = await units.unit(named: String(file.dropLast(4)), sessionId: id) else {
                // A name is never reused: one that is not kept has expired (or never was).
                throw HTTPError(.gone, message: "This unit of speech is not kept (any more).")
            }
            var headers: HTTPFields = [.contentType: "audio/wav", .cacheControl: "private, max-age=\(unit.secondsLeft), immutable"]
            // The app fetches the file from its own origin: it may read it when that origin is allowed.
            if let origin = request.headers[.origin], addressGuard.allows(origin: origin, host: request.head.authority) {
                headers[.accessControlAllowOrigin] = origin
                headers[.vary] = "Origin"
            }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: unit.wav)))
        }
    }
}
