import DragomanStore
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// `GET /v1/events`: the lifecycle events as server-sent events, for operators. A client that
/// reconnects with `Last-Event-ID` (or `?after=`) gets what it missed from the stored log first.
struct EventsController: Sendable {
    let bus: EventBus
    let store: any DragomanStore
    let authenticator: Authenticator

    func addRoutes(to router: some RouterMethods<DragomanRequestContext>) {
        router.get("v1/events", use: stream)
    }

    @Sendable func stream(request: Request, context: DragomanRequestContext) async throws -> Response {
        _ = try await authenticator.operator(from: request)
        let resumeFrom =
            request.headers[.lastEventID].flatMap { Int64($0) }
            ?? request.uri.formQuery["after"].flatMap { Int64($0) } ?? 0
        // Subscribe before reading the log so nothing falls between the two.
        let live = await bus.subscribe()
        let store = store
        let body = ResponseBody { writer in
            var last = resumeFrom
            while true {
                let missed = try await store.events(after: last, limit: 500)
                for event in missed { try await writer.write(Self.frame(event)) }
                last = missed.last?.sequence ?? last
                if missed.count < 500 { break }
            }
            try await writer.write(ByteBuffer(string: ": live\n\n"))
            // The stream never ends by itself: a graceful shutdown ends it, or the server would
            // wait for every operator to hang up before it stops.
            for await event in live.cancelOnGracefulShutdown() where event.sequence > last {
                try await writer.write(Self.frame(event))
                last = event.sequence
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: body)
    }

    private static func frame(_ event: StoredEvent) -> ByteBuffer {
        ByteBuffer(string: "id: \(event.sequence)\nevent: Session Status Change\ndata: \(event.document)\n\n")
    }
}

extension HTTPField.Name {
    static let lastEventID = Self("Last-Event-ID")!
}
