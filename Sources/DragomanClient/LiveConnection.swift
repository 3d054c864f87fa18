import DragomanCore
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import Synchronization

/// A WebSocket connection to a Dragoman server, for the command-line clients, benchmarks and
/// tests: messages arrive on `messages`, parsed, with the time they arrived.
public final class LiveConnection: Sendable {
    /// One message from the server.
    public struct Received: Sendable {
        /// A text frame, decoded; `nil` for a binary frame or a text frame that is not a message
        /// of the protocol.
        public var message: ServerMessage?
        public var binary: ByteBuffer?
        /// `MonotonicTime.seconds` when it arrived.
        public var receivedAt: Double

        /// The message's `type`.
        public var type: String? { message?.type }
    }

    private enum Outgoing: Sendable {
        case text(String)
        case binary(ByteBuffer)
        case close
    }

    /// Every message, in order; it ends when the connection closes.
    public let messages: AsyncStream<Received>
    private let received: AsyncStream<Received>.Continuation
    private let outgoing: AsyncStream<Outgoing>.Continuation
    private let outgoingQueue: AsyncStream<Outgoing>
    private let closeFrame = Mutex<WebSocketCloseFrame?>(nil)
    private let runner = Mutex<Task<Void, Never>?>(nil)

    private init() {
        (messages, received) = AsyncStream.makeStream(of: Received.self)
        (outgoingQueue, outgoing) = AsyncStream.makeStream(of: Outgoing.self)
    }

    /// Connects to a `ws://` URL and returns once the upgrade succeeded.
    /// - Throws: the client's error when the server refused the upgrade or could not be reached.
    public static func open(_ url: String, maxFrameSize: Int = 1 << 20, logger: Logger = Logger(label: "dragoman.client")) async throws -> LiveConnection {
        let connection = LiveConnection()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let opened = OnceContinuation(continuation)
            let task = Task {
                do {
                    let frame = try await WebSocketClient.connect(
                        url: url, configuration: .init(maxFrameSize: maxFrameSize), logger: logger
                    ) { inbound, outbound, _ in
                        opened.resume(with: .success(()))
                        try await connection.pump(inbound: inbound, outbound: outbound)
                    }
                    connection.closeFrame.withLock { $0 = frame }
                    opened.resume(with: .failure(ConnectionError.closedBeforeOpening))
                } catch {
                    opened.resume(with: .failure(error))
                }
                connection.received.finish()
            }
            connection.runner.withLock { $0 = task }
        }
        return connection
    }

    private func pump(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await item in self.outgoingQueue {
                    switch item {
                    case .text(let text): try await outbound.write(.text(text))
                    case .binary(let buffer): try await outbound.write(.binary(buffer))
                    case .close:
                        try await outbound.close(.normalClosure, reason: nil)
                        return
                    }
                }
            }
            for try await message in inbound.messages(maxSize: 1 << 24) {
                let now = MonotonicTime.seconds
                switch message {
                case .text(let text):
                    received.yield(Received(message: try? ServerMessage.decode(text), binary: nil, receivedAt: now))
                case .binary(let buffer):
                    received.yield(Received(message: nil, binary: buffer, receivedAt: now))
                }
            }
            group.cancelAll()
        }
    }

    /// Sends a JSON text frame.
    public func send(_ object: JSONValue) {
        let data = try! JSONEncoder().encode(object)
        outgoing.yield(.text(String(decoding: data, as: UTF8.self)))
    }

    /// Sends a raw text frame (tests use it for malformed input).
    public func send(text: String) {
        outgoing.yield(.text(text))
    }

    /// Sends a binary frame.
    public func send(binary: ByteBuffer) {
        outgoing.yield(.binary(binary))
    }

    /// Closes the connection normally.
    public func close() {
        outgoing.yield(.close)
    }

    /// Waits until the connection has closed and returns the server's close frame, if any.
    @discardableResult
    public func closed() async -> WebSocketCloseFrame? {
        await runner.withLock { $0 }?.value
        return closeFrame.withLock { $0 }
    }

    /// Errors of `open`.
    public enum ConnectionError: Error {
        case closedBeforeOpening
    }
}

/// A continuation resumed at most once, by whichever of several paths gets there first.
private final class OnceContinuation: Sendable {
    private let continuation: Mutex<CheckedContinuation<Void, any Error>?>

    init(_ continuation: CheckedContinuation<Void, any Error>) {
        self.continuation = Mutex(continuation)
    }

    func resume(with result: Result<Void, any Error>) {
        continuation.withLock { $0.take() }?.resume(with: result)
    }
}
