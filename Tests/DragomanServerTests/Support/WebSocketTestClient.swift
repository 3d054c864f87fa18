import DragomanCore
import Foundation
import NIOCore
import NIOPosix
import NIOWebSocket
import Synchronization
import Testing

/// A real WebSocket client for tests (RFC 6455 over a plain NIO socket): connects to `/ws`, sends
/// text and binary frames, and hands over what the server sent one message at a time, each wait
/// bounded by a timeout. It reads the handshake response itself, so it sees the HTTP status of a
/// refused upgrade and never loses frames that arrive in the same read as the `101` (which
/// `HummingbirdWSClient` was seen to do under load).
final class WebSocketTestClient: Sendable {
    /// A data frame the server sent.
    enum Received: Sendable {
        case text(String)
        case binary([UInt8])
    }

    /// How the connection ended.
    enum Ending: Sendable {
        /// The upgrade was refused with this HTTP status.
        case refused(status: Int, body: String)
        /// The server closed, with the code of its close frame (`nil` when it sent none).
        case closed(WebSocketErrorCode?)
        /// The socket failed.
        case failed(String)
    }

    /// An unexpected frame where a JSON message was wanted, or an unexpected ending.
    struct Unexpected: Error, CustomStringConvertible {
        let description: String
    }

    private enum Command: Sendable {
        case frame(opcode: UInt8, payload: [UInt8])
        /// Ends the socket without a close frame, as a lost network does.
        case hangUp
    }

    /// The default wait for one message: generous, because the suite runs its tests in parallel on
    /// CI's two cores beside a Whisper sidecar; a passing test never waits that long.
    static let timeout: Duration = .seconds(15)

    /// How a test client treats the server's control frames.
    struct Manners: Sendable {
        /// Answers pings with pongs, as every WebSocket client must.
        var answersPings = true
        /// Answers a close and stops; otherwise it keeps the socket, and keeps sending, until the
        /// server drops it.
        var answersClose = true
    }

    let inbox = Mailbox<Received>()
    /// Counts the pings the server sent.
    final class PingCount: Sendable {
        let value = Atomic(0)
    }

    private let pingCount = PingCount()
    /// Pings the server sent.
    var pings: Int { pingCount.value.load(ordering: .relaxed) }
    private let endings = Mailbox<Ending>()
    /// The head of the server's `101 Switching Protocols`.
    private let acceptances = Mailbox<String>()
    private let commands: AsyncStream<Command>.Continuation
    private let connection: Task<Void, Never>

    /// Starts connecting to `path` (with its query) on the local server at `port`, with `headers`
    /// added to the upgrade request.
    init(port: Int, path: String, headers: [(String, String)] = [], manners: Manners = Manners()) {
        let inbox = inbox
        let endings = endings
        let acceptances = acceptances
        let pings = pingCount
        let (stream, commands) = AsyncStream.makeStream(of: Command.self)
        self.commands = commands
        connection = Task {
            let ending: Ending
            do {
                ending = try await Self.run(
                    port: port, path: path, headers: headers, manners: manners, commands: stream, pongs: commands, inbox: inbox, pings: pings,
                    acceptances: acceptances)
            } catch {
                ending = .failed("\(error)")
            }
            inbox.finish()
            endings.put(ending)
        }
    }

    deinit {
        commands.finish()
        connection.cancel()
    }

    // MARK: Sending

    /// Sends a text frame as it is.
    func send(_ text: String) {
        commands.yield(.frame(opcode: 0x1, payload: Array(text.utf8)))
    }

    /// Sends a JSON value.
    func send(json: JSONValue) {
        send(String(decoding: try! JSONEncoder().encode(json), as: UTF8.self))
    }

    /// Sends `{"action": action, ...fields}`.
    func send(action: String, _ fields: [String: JSONValue] = [:]) {
        var object = fields
        object["action"] = .string(action)
        send(json: .object(object))
    }

    /// Sends a binary frame.
    func send(binary bytes: [UInt8]) {
        commands.yield(.frame(opcode: 0x2, payload: bytes))
    }

    /// Starts the closing handshake with `code` (1000, normal closure, unless told).
    func close(code: UInt16 = 1_000) {
        commands.yield(.frame(opcode: 0x8, payload: [UInt8(code >> 8), UInt8(code & 0xFF)]))
    }

    /// Ends the socket without a close frame (the server sees a drop, 1006).
    func hangUp() {
        commands.yield(.hangUp)
    }

    // MARK: Receiving

    /// The next message, which must be a JSON text frame.
    func next(timeout: Duration = WebSocketTestClient.timeout) async throws -> Message {
        switch try await inbox.next(timeout: timeout) {
        case .text(let text):
            do {
                return try Message(decoding: text)
            } catch {
                throw Unexpected(description: "not a server message (\(error)): \(text)")
            }
        case .binary(let bytes):
            throw Unexpected(description: "a binary frame of \(bytes.count) bytes")
        }
    }

    /// The next message, which must be of `type`.
    @discardableResult
    func expect(_ type: String, timeout: Duration = WebSocketTestClient.timeout, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Message {
        let message = try await next(timeout: timeout)
        guard message.type == type else {
            Issue.record("expected \(type), got \(message)", sourceLocation: sourceLocation)
            throw Unexpected(description: "expected \(type), got \(message)")
        }
        return message
    }

    /// The next message, which must be an `error` with `code`, a message and an `action` key.
    @discardableResult
    func expectError(_ code: String, timeout: Duration = WebSocketTestClient.timeout, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Message
    {
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

    /// Waits for the connection to end.
    func ending(timeout: Duration = WebSocketTestClient.timeout) async throws -> Ending {
        let ending = try await endings.next(timeout: timeout)
        // Later callers get the same answer.
        endings.put(ending)
        return ending
    }

    /// Waits for the server to close the connection and returns its close code.
    func closeCode(timeout: Duration = WebSocketTestClient.timeout) async throws -> WebSocketErrorCode? {
        switch try await ending(timeout: timeout) {
        case .closed(let code): return code
        case let other: throw Unexpected(description: "the connection ended with \(other)")
        }
    }

    /// The value of `name` in the server's `101` (the first field of that name), `nil` when it has
    /// none.
    func acceptedHeader(_ name: String, timeout: Duration = WebSocketTestClient.timeout) async throws -> String? {
        let head = try await acceptances.next(timeout: timeout)
        acceptances.put(head)
        return head.split(separator: "\r\n").dropFirst().lazy.map { $0.split(separator: ":", maxSplits: 1) }
            .first { $0.count == 2 && $0[0].lowercased() == name.lowercased() }
            .map { $0[1].trimmingCharacters(in: .whitespaces) }
    }

    /// The HTTP status of a refused upgrade.
    func refusalStatus(timeout: Duration = WebSocketTestClient.timeout) async throws -> Int {
        switch try await ending(timeout: timeout) {
        case .refused(let status, _): return status
        case let other: throw Unexpected(description: "the upgrade was not refused: \(other)")
        }
    }

    /// Closes from this side and waits until the connection is gone.
    func disconnect(timeout: Duration = WebSocketTestClient.timeout) async {
        close()
        _ = try? await ending(timeout: timeout)
    }

    // MARK: Protocol

    /// Opens the socket, upgrades, then reads frames until the connection ends.
    private static func run(
        port: Int, path: String, headers: [(String, String)], manners: Manners, commands: AsyncStream<Command>,
        pongs: AsyncStream<Command>.Continuation, inbox: Mailbox<Received>, pings: PingCount, acceptances: Mailbox<String>
    ) async throws -> Ending {
        // A client that ignores the close keeps its socket when the server stops writing.
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.allowRemoteHalfClosure, value: !manners.answersClose)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let socket = channel.channel
        return try await channel.executeThenClose { inbound, outbound in
            let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
            try await outbound.write(
                ByteBuffer(
                    string: """
                        GET \(path) HTTP/1.1\r
                        Host: 127.0.0.1:\(port)\r
                        Upgrade: websocket\r
                        Connection: Upgrade\r
                        Sec-WebSocket-Key: \(key)\r
                        Sec-WebSocket-Version: 13\r
                        \(headers.map { "\($0): \($1)\r\n" }.joined())\r

                        """))
            var reader = ByteReader(iterator: inbound.makeAsyncIterator())

            // The handshake response.
            guard let head = try await reader.readHead() else { return .failed("no handshake response") }
            let statusLine = head.split(separator: "\r\n").first ?? ""
            let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0
            guard status == 101 else {
                let length =
                    head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                let body = try await reader.read(count: length) ?? []
                return .refused(status: status, body: String(decoding: body, as: UTF8.self))
            }
            acceptances.put(head)

            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await command in commands {
                        switch command {
                        case .frame(let opcode, let payload):
                            try await outbound.write(Self.frame(opcode: opcode, payload: payload))
                            if opcode == 0x8 { return }
                        case .hangUp:
                            try await socket.close()
                            return
                        }
                    }
                }
                defer { group.cancelAll() }
                var message: (opcode: UInt8, payload: [UInt8])?
                var closeCode: WebSocketErrorCode?
                while true {
                    guard let (fin, opcode, payload) = try await reader.readFrame() else {
                        guard !manners.answersClose, closeCode != nil else { return .closed(closeCode) }
                        // The server only stopped writing: keep the socket and keep talking
                        // until it is gone for good (a write fails).
                        while true {
                            try await Task.sleep(for: .milliseconds(100))
                            do {
                                try await outbound.write(Self.frame(opcode: 0x1, payload: Array(#"{"action":"heartbeat"}"#.utf8)))
                            } catch {
                                return .closed(closeCode)
                            }
                        }
                    }
                    switch opcode {
                    case 0x8:
                        let code = payload.count >= 2 ? WebSocketErrorCode(codeNumber: Int(payload[0]) << 8 | Int(payload[1])) : nil
                        guard manners.answersClose else {
                            closeCode = code
                            continue
                        }
                        // Answer the close; the server then ends the connection.
                        pongs.yield(.frame(opcode: 0x8, payload: Array(payload.prefix(2))))
                        return .closed(code)
                    case 0x9:
                        pings.value.add(1, ordering: .relaxed)
                        if manners.answersPings { pongs.yield(.frame(opcode: 0xA, payload: payload)) }
                    case 0xA:
                        break
                    case 0x0:
                        message?.payload += payload
                    default:
                        message = (opcode, payload)
                    }
                    if fin, opcode < 0x8, let complete = message {
                        message = nil
                        inbox.put(complete.opcode == 0x1 ? .text(String(decoding: complete.payload, as: UTF8.self)) : .binary(complete.payload))
                    }
                }
            }
        }
    }

    /// A masked client frame.
    private static func frame(opcode: UInt8, payload: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(0x80 | opcode)
        switch payload.count {
        case ..<126: buffer.writeInteger(UInt8(0x80 | payload.count))
        case ...0xFFFF:
            buffer.writeInteger(UInt8(0x80 | 126))
            buffer.writeInteger(UInt16(payload.count))
        default:
            buffer.writeInteger(UInt8(0x80 | 127))
            buffer.writeInteger(UInt64(payload.count))
        }
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        buffer.writeBytes(mask)
        buffer.writeBytes(payload.enumerated().map { $0.element ^ mask[$0.offset % 4] })
        return buffer
    }
}

/// Reads a byte stream in the pieces the WebSocket handshake and frames need.
private struct ByteReader {
    var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    var buffer = ByteBuffer()

    /// Reads more from the socket; `false` at its end.
    private mutating func fill() async throws -> Bool {
        guard var more = try await iterator.next() else { return false }
        buffer.writeBuffer(&more)
        return true
    }

    /// The HTTP head, up to the blank line.
    mutating func readHead() async throws -> String? {
        while true {
            let view = buffer.readableBytesView
            if let end = view.firstRange(of: [13, 10, 13, 10]) {
                let length = end.upperBound - view.startIndex
                return buffer.readString(length: length)
            }
            guard try await fill() else { return nil }
        }
    }

    /// Exactly `count` bytes; `nil` if the stream ends first.
    mutating func read(count: Int) async throws -> [UInt8]? {
        while buffer.readableBytes < count {
            guard try await fill() else { return nil }
        }
        return buffer.readBytes(length: count)
    }

    /// One server frame (unmasked); `nil` at the end of the stream.
    mutating func readFrame() async throws -> (fin: Bool, opcode: UInt8, payload: [UInt8])? {
        guard let header = try await read(count: 2) else { return nil }
        var length = Int(header[1] & 0x7F)
        if length == 126 {
            guard let bytes = try await read(count: 2) else { return nil }
            length = Int(bytes[0]) << 8 | Int(bytes[1])
        } else if length == 127 {
            guard let bytes = try await read(count: 8) else { return nil }
            length = bytes.reduce(0) { $0 << 8 | Int($1) }
        }
        let mask = header[1] & 0x80 != 0 ? try await read(count: 4) : nil
        guard var payload = try await read(count: length) else { return nil }
        if let mask { payload = payload.enumerated().map { $0.element ^ mask[$0.offset % 4] } }
        return (header[0] & 0x80 != 0, header[0] & 0x0F, payload)
    }
}
