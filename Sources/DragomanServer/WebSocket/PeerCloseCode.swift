import NIOCore
import NIOWebSocket
import Synchronization

/// The code of the close frame the peer sent, read as the frame passes through the channel: the
/// WebSocket library answers a close by itself and only ends the inbound stream, the same way as
/// when the connection drops. What a speaker of the replaced design means by closing depends on
/// it (docs/protocol.md, "Clients of the replaced design").
final class PeerCloseCode: Sendable {
    /// Right after the frame decoder: sees every frame the peer sends, passes each on.
    private final class Observer: ChannelInboundHandler, Sendable {
        typealias InboundIn = WebSocketFrame
        typealias InboundOut = WebSocketFrame
        let code: PeerCloseCode

        init(_ code: PeerCloseCode) {
            self.code = code
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let frame = unwrapInboundIn(data)
            if frame.opcode == .connectionClose {
                var body = frame.unmaskedData
                // A close frame without a body has no code (1005 on the peer's side): not normal.
                let received = body.readWebSocketErrorCode()
                code.received.withLock { $0 = $0 ?? received }
            }
            context.fireChannelRead(data)
        }
    }

    private let received = Mutex<WebSocketErrorCode?>(nil)

    /// The code of the peer's first close frame; `nil` while it sent none, and for good when the
    /// connection dropped without one.
    var value: WebSocketErrorCode? { received.withLock { $0 } }

    /// Reads the close frames of an upgraded `channel` from now on.
    init(watching channel: any Channel) {
        channel.eventLoop.execute {
            let pipeline = channel.pipeline.syncOperations
            guard let decoder = try? pipeline.handler(type: ByteToMessageHandler<WebSocketFrameDecoder>.self) else { return }
            try? pipeline.addHandler(Observer(self), position: .after(decoder))
        }
    }
}
