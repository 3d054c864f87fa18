import DragomanCore
import Metrics
import NIOCore
import NIOWebSocket
import Synchronization

/// One open WebSocket, as the rest of the server sees it: a bounded queue of frames to send.
/// A client that reads too slowly fills its queue and loses new frames, counted in `dragoman_dropped_messages_total`;
/// it never makes a sender wait.
public final class ClientConnection: Sendable, Hashable {
    /// A frame waiting to be written.
    enum Outbound: Sendable {
        case text(String)
        case binary(ByteBuffer)
        case close(WebSocketErrorCode, reason: String?)
    }

    public let id: UInt64
    public let role: Role
    let outbound: AsyncStream<Outbound>
    private let continuation: AsyncStream<Outbound>.Continuation
    private static let droppedMessages = Counter(label: "dragoman_dropped_messages_total")

    private static let nextID = Atomic<UInt64>(1)

    init(role: Role, queueLimit: Int) {
        self.id = Self.nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        self.role = role
        (outbound, continuation) = AsyncStream.makeStream(of: Outbound.self, bufferingPolicy: .bufferingOldest(queueLimit))
    }

    /// Queues a message.
    func send(_ message: ServerMessage) {
        send(text: message.encoded())
    }

    /// Queues an already encoded text frame (fan-out encodes once for many connections).
    func send(text: String) {
        if case .dropped = continuation.yield(.text(text)) {
            Self.droppedMessages.increment()
        }
    }

    /// Queues a binary frame (fan-out shares one buffer among many connections).
    func send(binary buffer: ByteBuffer) {
        if case .dropped = continuation.yield(.binary(buffer)) {
            Self.droppedMessages.increment()
        }
    }

    /// Queues a close frame; nothing queued after it is sent.
    func close(_ code: WebSocketErrorCode, reason: String? = nil) {
        continuation.yield(.close(code, reason: reason))
        continuation.finish()
    }

    /// Ends the queue once what is in it has been written.
    func finish() {
        continuation.finish()
    }


    public static func == (lhs: ClientConnection, rhs: ClientConnection) -> Bool { lhs.id == rhs.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}
