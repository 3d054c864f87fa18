import NIOCore
import Synchronization

/// What a TCP connection may hold before it has said anything: slowloris connections (a request
/// head sent a byte at a time, or nothing at all) would otherwise keep their descriptors for
/// good. A connection's first request head must be complete within the timeout of
/// `firstRequestDeadlines`, and one address (not a trusted proxy) holds at most `maxPerAddress`
/// connections, plain HTTP and WebSocket alike. Keep-alive connections between requests are
/// HTTP's idle timeout's.
final class ConnectionLimits: Sendable {
    /// Connections the kernel may hold completed for the server to accept (Linux caps it at
    /// `net.core.somaxconn`, 4096 by default). At 256, Hummingbird's default, a burst of
    /// connects overflows it: the kernel then drops the handshakes' last packets, and a client
    /// that believes it is connected waits for the server's retransmissions (1, 2, 4, 8 s…)
    /// before it is accepted, which slows honest clients beside a slowloris flood by seconds and
    /// keeps its connections open long past their header deadline.
    static let acceptBacklog = 4096
    /// Where connections wait for their first request head; `nil` when they may wait forever.
    let firstRequestDeadlines: FirstRequestDeadlines?
    let maxPerAddress: Int
    private let addresses: ClientAddressResolver
    private let open = Mutex<[String: Int]>([:])

    init(settings: ServerConfiguration) {
        firstRequestDeadlines =
            settings.httpHeaderTimeout > 0 ? FirstRequestDeadlines(timeout: .nanoseconds(Int64(settings.httpHeaderTimeout * 1e9))) : nil
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
