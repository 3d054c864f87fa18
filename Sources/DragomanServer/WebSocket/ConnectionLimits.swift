import NIOCore
import NIOHTTP1
import Synchronization

/// What a TCP connection may hold before it has said anything: slowloris connections (a request
/// head sent a byte at a time, or nothing at all) would otherwise keep their descriptors for
/// good. A connection's first request head must be complete within `headerTimeout`, and one
/// address (not a trusted proxy) holds at most `maxPerAddress` connections, plain HTTP and
/// WebSocket alike. Keep-alive connections between requests are HTTP's idle timeout's.
final class ConnectionLimits: Sendable {
    let headerTimeout: TimeAmount?
    let maxPerAddress: Int
    private let addresses: ClientAddressResolver
    private let open = Mutex<[String: Int]>([:])

    init(settings: ServerConfiguration) {
        headerTimeout = settings.httpHeaderTimeout > 0 ? .nanoseconds(Int64(settings.httpHeaderTimeout * 1e9)) : nil
        maxPerAddress = settings.maxHTTPConnectionsPerAddress
        addresses = ClientAddressResolver(settings: settings)
    }

    /// Counts a new connection against its address until it closes; `false` when the address
    /// holds its maximum already (the connection is then closed at once).
    func admit(_ channel: any Channel) -> Bool {
        guard maxPerAddress > 0, let peer = channel.remoteAddress?.ipAddress, !addresses.isTrusted(peer) else { return true }
        let admitted = open.withLock { open in
            let count = open[peer, default: 0]
            guard count < maxPerAddress else { return false }
            open[peer] = count + 1
            return true
        }
        guard admitted else { return false }
        channel.closeFuture.whenComplete { _ in
            self.open.withLock { open in
                let left = open[peer, default: 1] - 1
                open[peer] = left > 0 ? left : nil
            }
        }
        return true
    }
}

/// Closes a connection whose first request head has not arrived within the timeout; it leaves
/// the pipeline once the head is there.
final class FirstRequestDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: timeout) { bound.value.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
