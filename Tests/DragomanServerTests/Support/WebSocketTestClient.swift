import DragomanCore
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import NIOWebSocket
import Testing

/// A real WebSocket client for tests: connects to `/ws`, sends text and binary frames, and hands
/// over what the server sent one message at a time, each wait bounded by a timeout.
final class WebSocketTestClient: Sendable {
    /// Something the server sent, or the end of the connection.
    enum Received: Sendable {
        case text(String)
        case binary(ByteBuffer)
    }

    /// An unexpected frame where a JSON message was wanted.
    struct UnexpectedFrame: Error, CustomStringConvertible {
        let description: String
    }

    private enum Command: Sendable {
        case text(String)
        case binary(ByteBuffer)
        case close(WebSocketErrorCode)
    }

    /// The default wait for one message.
    static let timeout: Duration = .seconds(5)

    let inbox = Mailbox<Received>()
    private let commands: AsyncStream<Command>.Continuation
    private let connection: Task<WebSocketCloseFrame?, any Error>

    /// Starts connecting to `url`; the first message, or `closeFrame()`, tells how it went.
    init(url: String, maxFrameSize: Int = 1 << 20) {
        let inbox = inbox
        let (stream, commands) = AsyncStream.makeStream(of: Command.self)
        self.commands = commands
        var logger = Logger(label: "test-client")
        logger.logLevel = .critical
        connection = Task {
            defer { inbox.finish() }
            return try await WebSocketClient.connect(
                url: url, configuration: .init(maxFrameSize: maxFrameSize), logger: logger
            ) { inbound, outbound, _ in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await command in stream {
                            switch command {
                            case .text(let text): try await outbound.write(.text(text))
                            case .binary(let buffer): try await outbound.write(.binary(buffer))
                            case .close(let code):
                                try await outbound.close(code, reason: nil)
                                return
                            }
                        }
                    }
                    for try await message in inbound.messages(maxSize: 1 << 24) {
                        switch message {
                        case .text(let text): inbox.put(.text(text))
                        case .binary(let buffer): inbox.put(.binary(buffer))
                        }
                    }
                    group.cancelAll()
                }
            }
        }
    }

    deinit {
        commands.finish()
        connection.cancel()
    }

    // MARK: Sending

    /// Sends a text frame as it is.
    func send(_ text: String) {
        commands.yield(.text(text))
    }

    /// Sends a JSON object.
    func send(json: JSONValue) {
        let data = try! JSONEncoder().encode(json)
        send(String(decoding: data, as: UTF8.self))
    }

    /// Sends `{"action": action, ...fields}`.
    func send(action: String, _ fields: [String: JSONValue] = [:]) {
        var object = fields
        object["action"] = .string(action)
        send(json: .object(object))
    }

    /// Sends a binary frame.
    func send(binary bytes: [UInt8]) {
        commands.yield(.binary(ByteBuffer(bytes: bytes)))
    }

    /// Starts the closing handshake.
    func close() {
        commands.yield(.close(.normalClosure))
    }

    // MARK: Receiving

    /// The next message, which must be a JSON text frame.
    func next(timeout: Duration = WebSocketTestClient.timeout) async throws -> Message {
        switch try await inbox.next(timeout: timeout) {
        case .text(let text):
            guard let message = Message(text: text) else { throw UnexpectedFrame(description: "not a JSON object: \(text)") }
            return message
        case .binary(let buffer):
            throw UnexpectedFrame(description: "a binary frame of \(buffer.readableBytes) bytes")
        }
    }

    /// The next message, which must be of `type`.
    @discardableResult
    func expect(_ type: String, timeout: Duration = WebSocketTestClient.timeout, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Message {
        let message = try await next(timeout: timeout)
        guard message.type == type else {
            Issue.record("expected \(type), got \(message)", sourceLocation: sourceLocation)
            throw UnexpectedFrame(description: "expected \(type), got \(message)")
        }
        return message
    }

    /// The next message, which must be an `error` with `code`.
    @discardableResult
    func expectError(_ code: String, timeout: Duration = WebSocketTestClient.timeout, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Message {
        let message = try await expect("error", timeout: timeout, sourceLocation: sourceLocation)
        #expect(message.code == code, "\(message)", sourceLocation: sourceLocation)
        #expect(message["message"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(message.keys.contains("action"), sourceLocation: sourceLocation)
        return message
    }

    /// Skips messages until one of `type` that passes `condition` comes; returns it and what was skipped.
    @discardableResult
    func waitFor(
        _ type: String, timeout: Duration = WebSocketTestClient.timeout, where condition: (Message) -> Bool = { _ in true }
    ) async throws -> (message: Message, skipped: [Message]) {
        let deadline = ContinuousClock.now + timeout
        var skipped: [Message] = []
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw Mailbox<Received>.TimedOut(after: timeout) }
            let message = try await next(timeout: remaining)
            if message.type == type, condition(message) { return (message, skipped) }
            skipped.append(message)
        }
    }

    /// Sends a `heartbeat` and returns what arrived before its `heartbeatAck`. Everything the
    /// server queued for this connection before it read the heartbeat is in the answer, so an
    /// empty answer proves nothing else was sent, without sleeping.
    func barrier(timeout: Duration = WebSocketTestClient.timeout) async throws -> [Message] {
        send(action: "heartbeat")
        return try await waitFor("heartbeatAck", timeout: timeout).skipped
    }

    /// Waits for the connection to end; the server's close frame, or `nil` when it sent none.
    /// - Throws: the client's error (for example a refused upgrade), or `TimedOut`.
    func closeFrame(timeout: Duration = WebSocketTestClient.timeout) async throws -> WebSocketCloseFrame? {
        let connection = connection
        return try await withThrowingTaskGroup(of: WebSocketCloseFrame??.self) { group in
            group.addTask { .some(try await connection.value) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return .none
            }
            defer { group.cancelAll() }
            guard let frame = try await group.next()! else { throw Mailbox<Received>.TimedOut(after: timeout) }
            return frame
        }
    }

    /// Waits for the server to close the connection and returns its close code.
    func closeCode(timeout: Duration = WebSocketTestClient.timeout) async throws -> WebSocketErrorCode? {
        try await closeFrame(timeout: timeout)?.closeCode
    }

    /// Closes from this side and waits until the connection is gone.
    func disconnect(timeout: Duration = WebSocketTestClient.timeout) async {
        close()
        _ = try? await closeFrame(timeout: timeout)
    }
}
