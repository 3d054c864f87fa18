import NIOCore
import NIOWebSocket
import ServiceLifecycle
import Synchronization

/// WebSocket pings for every connection from one timer (not a task per connection): every
/// `interval` each connection is sent a ping, and one that has sent nothing at all (no pong, no
/// frame) for two intervals is closed. A phone that left the venue, behind a proxy whose own
/// connection stays up, would otherwise hold its listener slot for good.
final class PingTimer: Service, Sendable {
    /// When a connection's peer last sent anything.
    private final class LastHeard: Sendable {
        let uptimeNanoseconds = Atomic<UInt64>(NIODeadline.now().uptimeNanoseconds)
    }

    /// First in the pipeline: any bytes from the peer, a pong included, count as an answer.
    private final class Listener: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let heard: LastHeard

        init(_ heard: LastHeard) {
            self.heard = heard
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            heard.uptimeNanoseconds.store(NIODeadline.now().uptimeNanoseconds, ordering: .relaxed)
            context.fireChannelRead(data)
        }
    }

    private struct Peer: Sendable {
        let channel: any Channel
        let heard: LastHeard
    }

    /// Seconds between pings; 0 for none.
    let interval: Double
    private let peers = Mutex<[ObjectIdentifier: Peer]>([:])

    init(interval: Double) {
        self.interval = interval
    }

    /// Pings an upgraded connection from now on, until it closes.
    func watch(_ channel: any Channel) {
        guard interval > 0 else { return }
        let heard = LastHeard()
        let key = ObjectIdentifier(channel)
        peers.withLock { $0[key] = Peer(channel: channel, heard: heard) }
        channel.eventLoop.execute {
            try? channel.pipeline.syncOperations.addHandler(Listener(heard), position: .first)
        }
        channel.closeFuture.whenComplete { [weak self] _ in
            _ = self?.peers.withLock { $0.removeValue(forKey: key) }
        }
    }

    /// One round of the timer.
    func tick(now: NIODeadline = .now()) {
        let silence = UInt64(interval * 2 * 1e9)
        for peer in peers.withLock({ Array($0.values) }) {
            let heard = peer.heard.uptimeNanoseconds.load(ordering: .relaxed)
            if now.uptimeNanoseconds > heard + silence {
                peer.channel.close(promise: nil)
            } else {
                peer.channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer()), promise: nil)
            }
        }
    }

    func run() async throws {
        guard interval > 0 else { return try await gracefulShutdown() }
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: .seconds(self.interval))
                self.tick()
            }
        }
    }
}
