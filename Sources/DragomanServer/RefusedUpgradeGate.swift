import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1

/// hummingbird-websocket answers every WebSocket upgrade it does not perform with a bare
/// `400 Bad Request`, whatever the reason, and never shows the request to the HTTP routes. The
/// protocol needs the reason as the status (401, 403, 404, 410, 429). This handler sits between
/// the HTTP request decoder and the upgrader: it holds a connection's first request while it asks
/// `admits`, and when the answer is no it takes the `Upgrade` out of the request, so the upgrader
/// passes it on as a plain `GET` and the router's `GET /ws` answers it with its status.
final class RefusedUpgradeGate: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    /// Whether an upgrade request (its head and the client's address) may be upgraded.
    typealias Admits = @Sendable (HTTPRequestHead, String) async -> Bool

    private let admits: Admits
    private var held: [HTTPServerRequestPart] = []
    private var deciding = false

    init(admits: @escaping Admits) {
        self.admits = admits
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if deciding {
            held.append(part)
            return
        }
        guard case .head(let head) = part, head.headers.contains(name: "upgrade") else {
            // Only the first request of a connection can be upgraded; the gate is done.
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        deciding = true
        held = [part]
        let admits = admits
        let address = context.channel.remoteAddress?.ipAddress ?? "unknown"
        let decision = context.eventLoop.makePromise(of: Bool.self)
        decision.completeWithTask { await admits(head, address) }
        let bound = NIOLoopBound((gate: self, context: context), eventLoop: context.eventLoop)
        decision.futureResult.whenComplete { result in
            bound.value.gate.release(admitted: (try? result.get()) ?? true, context: bound.value.context)
        }
    }

    /// Passes the held request on, as an upgrade or, refused, as a plain request.
    private func release(admitted: Bool, context: ChannelHandlerContext) {
        var parts = held
        held = []
        deciding = false
        if !admitted, case .head(var head) = parts.first {
            head.headers.remove(name: "upgrade")
            let connection = head.headers[canonicalForm: "connection"].filter { $0.lowercased() != "upgrade" }
            head.headers.remove(name: "connection")
            if !connection.isEmpty { head.headers.add(name: "connection", value: connection.joined(separator: ", ")) }
            parts[0] = .head(head)
        }
        for part in parts { context.fireChannelRead(wrapInboundOut(part)) }
        context.fireChannelReadComplete()
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}

/// `HTTP1WebSocketUpgradeChannel` with a `RefusedUpgradeGate` in front of its upgrader.
struct GatedWebSocketUpgradeChannel: ServerChildChannel {
    let base: HTTP1WebSocketUpgradeChannel
    let admits: RefusedUpgradeGate.Admits

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1WebSocketUpgradeChannel.Value> {
        let admits = admits
        return base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let decoder = try channel.pipeline.syncOperations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try channel.pipeline.syncOperations.addHandler(RefusedUpgradeGate(admits: admits), position: .after(decoder))
            return value
        }
    }

    func handle(value: HTTP1WebSocketUpgradeChannel.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with WebSocket upgrades on `webSocketRouter`, where an upgrade that `admits`
    /// refuses is answered by the HTTP routes (so with their status) instead of a bare 400.
    static func http1WebSocketUpgrade(
        webSocketRouter: Router<DragomanRequestContext>, configuration: HTTP1WebSocketUpgradeChannel.Configuration,
        admitting admits: @escaping RefusedUpgradeGate.Admits
    ) -> HTTPServerBuilder {
        let webSocketResponder = webSocketRouter.buildResponder()
        return HTTPServerBuilder { responder in
            GatedWebSocketUpgradeChannel(
                base: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder, configuration: configuration),
                admits: admits)
        }
    }
}

extension WebSocketGateway {
    /// Whether an upgrade request may be upgraded: `false` for any path but `/ws`, and for a
    /// connect refused with an HTTP status (which `addRefusalRoute` then answers, counting failed
    /// guesses); `true` for the others, which are refused after the upgrade with an `error`.
    @Sendable func admitsUpgrade(_ head: HTTPRequestHead, from address: String) async -> Bool {
        let uri = URI(head.uri)
        guard uri.path == "/ws" else { return false }
        guard await failedConnects.allows(address) else { return false }
        let query = Dictionary(uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { first, _ in first })
        do throws(ConnectRefusal) {
            _ = try await admit(query: query)
            return true
        } catch {
            return error.httpStatus == nil
        }
    }
}
