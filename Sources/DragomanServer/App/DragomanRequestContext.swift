import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The request context of every route: WebSocket upgrades and the client's address.
public struct DragomanRequestContext: RequestContext, WebSocketRequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address, for per-address limits.
    var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
