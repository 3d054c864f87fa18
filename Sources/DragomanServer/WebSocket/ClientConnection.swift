import DragomanCore
import NIOCore
import NIOWebSocket
import Synchronization

/// One open WebSocket, as the rest of the server sees it: a bounded queue of frames to send.
/// A client that reads too slowly never makes a sender wait. Speech is the first thing it loses:
/// once half its queue is waiting, new audio is skipped (and it is told, with `audioSkipped`,
/// when it has caught up); past the whole queue, any new frame is dropped. Both are counted in
/// `dragoman_dropped_messages_total`. A close is kept beside the queue, never in it, so a full
/// queue cannot drop it; once Dragoman decided to close, nothing more is queued, and `onClose`
/// makes sure the socket goes even if the peer never answers.
public final class ClientConnection: Sendable, Hashable {
    /// A frame waiting to be written.
    enum Outbound: Sendable, Equatable {
        case text(String)
        case binary(ByteBuffer)
    }

    /// The close frame to send once the queue has been written.
    struct Close: Sendable, Equatable {
        var code: WebSocketErrorCode
        var reason: String?
    }

    public let id: UInt64
    public let role: Role
    let outbound: AsyncStream<Outbound>
    private let continuation: AsyncStream<Outbound>.Continuation
    /// Frames queued and not yet taken by the writer.
    private let waiting = Atomic<Int>(0)
    /// Audio frames skipped since the client was last told.
    private let skippedAudio = Atomic<Int>(0)
    private let audioLimit: Int
    private let closing = Mutex<Close?>(nil)
    private let onClose: @Sendable () -> Void

    private static let nextID = Atomic<UInt64>(1)

    /// - Parameter onClose: called once, when Dragoman decides to close the connection.
    init(role: Role, queueLimit: Int, onClose: @escaping @Sendable () -> Void = {}) {
        self.id = Self.nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        self.role = role
        self.audioLimit = queueLimit / 2
        self.onClose = onClose
        (outbound, continuation) = AsyncStream.makeStream(of: Outbound.self, bufferingPolicy: .bufferingOldest(queueLimit))
    }

    /// Queues a message.
    func send(_ message: ServerMessage) {
        send(text: message.encoded())
    }

    /// Queues an already encoded text frame (fan-out encodes once for many connections).
    func send(text: String) {
        enqueue(.text(text))
    }

    /// Queues a frame of speech, already encoded (text or binary), unless the client is behind.
    func send(audio frame: Outbound) {
        guard waiting.load(ordering: .relaxed) < audioLimit else {
            skippedAudio.add(1, ordering: .relaxed)
            ServerMetrics.droppedMessages.increment()
            return
        }
        enqueue(frame)
    }

    /// Closes the connection: the close frame follows what is queued, and nothing queued after
    /// it is sent. The first close decides the code.
    func close(_ code: WebSocketErrorCode, reason: String? = nil) {
        let isFirst = closing.withLock { closing in
            guard closing == nil else { return false }
            closing = Close(code: code, reason: reason)
            return true
        }
        continuation.finish()
        if isFirst { onClose() }
    }

    /// The close to send after the queue, once Dragoman decided to close; from then on nothing
    /// the peer sends is acted on.
    var pendingClose: Close? { closing.withLock { $0 } }

    /// Ends the queue once what is in it has been written.
    func finish() {
        continuation.finish()
    }

    /// The writer took a frame off the queue. When the queue has drained after audio was skipped,
    /// the client is told how much, so a player can say why it fell silent.
    func didTakeFrame() {
        let left = waiting.subtract(1, ordering: .relaxed).newValue
        guard left < audioLimit / 2, skippedAudio.load(ordering: .relaxed) > 0 else { return }
        let skipped = skippedAudio.exchange(0, ordering: .relaxed)
        guard skipped > 0 else { return }
        send(
            ServerMessage(
                .audioSkipped(AudioSkipped(skippedChunks: skipped, message: "The connection was too slow for the speech; some of it was skipped.")),
                sessionId: nil))
    }

    private func enqueue(_ frame: Outbound) {
        // Counted before it is queued, so the writer never takes a frame not yet counted.
        waiting.add(1, ordering: .relaxed)
        switch continuation.yield(frame) {
        case .enqueued: break
        case .dropped:
            waiting.subtract(1, ordering: .relaxed)
            ServerMetrics.droppedMessages.increment()
        case .terminated:
            waiting.subtract(1, ordering: .relaxed)
        @unknown default: break
        }
    }

    public static func == (lhs: ClientConnection, rhs: ClientConnection) -> Bool { lhs.id == rhs.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}
