import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1

#if canImport(Glibc)
    import Glibc
#endif

/// hummingbird-websocket answers every WebSocket upgrade it does not perform with a bare
/// `400 Bad Request`, whatever the reason, and never shows the request to the HTTP routes. The
/// protocol needs the reason as the status (401, 403, 404, 410, 429). This handler sits between
/// the HTTP request decoder and the upgrader: it holds a connection's first request while it asks
/// `admits`, and when the answer is no it takes the `Upgrade` out of the request, so the upgrader
/// passes it on as a plain `GET` and the router's `GET /ws` answers it with its status.
///
/// While it asks, it reads no more from the socket: what the client sends meanwhile (a body, the
/// next request, frames sent before the answer) waits in the kernel, so a client cannot make it
/// hold more than the reads already under way brought in.
final class RefusedUpgradeGate: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    /// Whether an upgrade request (its head and the client's address) may be upgraded.
    typealias Admits = @Sendable (HTTPRequestHead, String) async -> Verdict

    /// The answer to an upgrade request.
    enum Verdict: Sendable {
        /// Upgrade; `onClose` runs when the connection closes.
        case upgrade(onClose: (@Sendable () -> Void)?)
        /// Answer over HTTP; `reason`, when there is one, goes to the route in `reasonHeader`.
        case refuse(reason: String?)
    }

    /// The request header that tells the `GET /ws` route why the gate refused an upgrade. A
    /// client that sends it on a plain request only refuses itself.
    static let reasonHeader = "Dragoman-Upgrade-Refusal"

    private let admits: Admits
    private var held: [HTTPServerRequestPart] = []
    private var deciding = false
    /// A read asked for while deciding, passed on once the request is released.
    private var readHeld = false

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
        let decision = context.eventLoop.makePromise(of: Verdict.self)
        decision.completeWithTask { await admits(head, address) }
        let bound = NIOLoopBound((gate: self, context: context), eventLoop: context.eventLoop)
        decision.futureResult.whenComplete { result in
            bound.value.gate.release((try? result.get()) ?? .refuse(reason: nil), context: bound.value.context)
        }
    }

    func read(context: ChannelHandlerContext) {
        guard deciding else { return context.read() }
        readHeld = true
    }

    /// Passes the held request on, as an upgrade or, refused, as a plain request.
    private func release(_ verdict: Verdict, context: ChannelHandlerContext) {
        var parts = held
        held = []
        deciding = false
        switch verdict {
        case .upgrade(let onClose):
            if let onClose { context.channel.closeFuture.whenComplete { _ in onClose() } }
        case .refuse(let reason):
            guard case .head(var head) = parts.first else { break }
            head.headers.remove(name: "upgrade")
            let connection = head.headers[canonicalForm: "connection"].filter { $0.lowercased() != "upgrade" }
            head.headers.remove(name: "connection")
            if !connection.isEmpty { head.headers.add(name: "connection", value: connection.joined(separator: ", ")) }
            if let reason { head.headers.replaceOrAdd(name: Self.reasonHeader, value: reason) }
            parts[0] = .head(head)
        }
        for part in parts { context.fireChannelRead(wrapInboundOut(part)) }
        context.fireChannelReadComplete()
        if readHeld { context.read() }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}

/// `HTTP1WebSocketUpgradeChannel` with a `RefusedUpgradeGate` in front of its upgrader, on a
/// socket with TCP keepalive.
///
/// A phone that leaves the venue's Wi-Fi never closes its connection. Where it connects directly,
/// the kernel's keepalive finds it (no answer to probes after a minute of silence) at no cost to
/// the server; behind a proxy, whose own connection stays up, `PingTimer`'s pings find it.
///
/// `limits` holds each connection to its address's maximum and its first request to a deadline.
struct GatedWebSocketUpgradeChannel: ServerChildChannel {
    let base: HTTP1WebSocketUpgradeChannel
    let admits: RefusedUpgradeGate.Admits
    let limits: ConnectionLimits?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1WebSocketUpgradeChannel.Value> {
        let admits = admits
        let limits = limits
        guard limits?.admit(channel) ?? true else {
            ServerMetrics.rateLimitRejections("connectionsPerAddress").increment()
            return channel.close().flatMapThrowing { throw ChannelError.ioOnClosedChannel }
        }
        do {
            try channel.setKeepalive()
        } catch {
            return channel.close().flatMapThrowing { throw error }
        }
        return base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let decoder = try channel.pipeline.syncOperations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            let gate = RefusedUpgradeGate(admits: admits)
            try channel.pipeline.syncOperations.addHandler(gate, position: .after(decoder))
            if let deadlines = limits?.firstRequestDeadlines {
                try channel.pipeline.syncOperations.addHandler(FirstRequestDeadline(entry: deadlines.add(channel)), position: .after(decoder))
            }
            return value
        }
    }

    func handle(value: HTTP1WebSocketUpgradeChannel.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension Channel {
    /// Probes a silent peer after 30 s, every 10 s, and gives up after 3 unanswered probes. Set
    /// synchronously, on the channel's event loop, while it is set up: a chain of futures per
    /// accepted connection is work a flood of connects multiplies.
    fileprivate func setKeepalive() throws {
        guard let options = syncOptions else { return }
        try options.setOption(ChannelOptions.socketOption(.so_keepalive), value: 1)
        try options.setOption(ChannelOptions.tcpOption(.init(rawValue: TCP_KEEPIDLE)), value: 30)
        try options.setOption(ChannelOptions.tcpOption(.init(rawValue: TCP_KEEPINTVL)), value: 10)
        try options.setOption(ChannelOptions.tcpOption(.init(rawValue: TCP_KEEPCNT)), value: 3)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with WebSocket upgrades on `webSocketRouter`, where an upgrade that `admits`
    /// refuses is answered by the HTTP routes (so with their status) instead of a bare 400.
    static func http1WebSocketUpgrade(
        webSocketRouter: Router<DragomanRequestContext>, configuration: HTTP1WebSocketUpgradeChannel.Configuration,
        admitting admits: @escaping RefusedUpgradeGate.Admits, limits: ConnectionLimits? = nil
    ) -> HTTPServerBuilder {
        let webSocketResponder = webSocketRouter.buildResponder()
        return HTTPServerBuilder { responder in
            GatedWebSocketUpgradeChannel(
                base: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder, configuration: configuration),
                admits: admits, limits: limits)
        }
    }
}

extension WebSocketGateway {
    /// Whether an upgrade request may be upgraded: not for any path but `/ws`, nor for a connect
    /// refused with an HTTP status (which `addRefusalRoute` then answers, counting failed
    /// guesses); the others are upgraded, and those refused after the upgrade get an `error`.
    /// An upgraded connection counts against its address until it closes.
    @Sendable func admitsUpgrade(_ head: HTTPRequestHead, from peer: String) async -> RefusedUpgradeGate.Verdict {
        let uri = URI(head.uri)
        guard uri.path == "/ws" else { return .refuse(reason: nil) }
        let address = addresses.clientAddress(of: head, peer: peer)
        guard await failedConnects.refusal(address) == nil else { return .refuse(reason: nil) }
        if let refusal = UpgradeRefusal.checkHandshake(head) {
            return .refuse(reason: refusal.rawValue)
        }
        if let refusal = addressGuard.admit(origin: head.headers["origin"].first, host: head.headers["host"].first, address: address) {
            ServerMetrics.rateLimitRejections(refusal.rawValue).increment()
            return .refuse(reason: refusal.rawValue)
        }
        do throws(ConnectRefusal) {
            let query = try SubprotocolCredentials.parameters(query: uri.formQuery, offered: head.headers["sec-websocket-protocol"])
            _ = try await admit(query: query)
        } catch  where error.httpStatus != nil {
            addressGuard.release(address: address)
            return .refuse(reason: nil)
        } catch {}
        let guardian = addressGuard
        return .upgrade(onClose: { guardian.release(address: address) })
    }
}
