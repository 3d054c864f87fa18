import DragomanCore
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A response read to its end.
struct HTTPResult: Sendable, CustomStringConvertible {
    let status: HTTPResponseStatus
    let headers: HTTPHeaders
    let body: String

    /// The status code.
    var code: Int { Int(status.code) }
    /// The body as JSON, when it is JSON.
    var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(body.utf8)) }
    var description: String { "\(status.code) \(body)" }
}

/// A response whose body is still arriving (server-sent events).
final class StreamedResponse: Sendable {
    enum Part: Sendable {
        case head(HTTPResponseHead)
        case body([UInt8])
    }

    let parts = Mailbox<Part>()

    /// The status line and headers.
    func head(timeout: Duration = .seconds(15)) async throws -> HTTPResponseHead {
        guard case .head(let head) = try await parts.next(timeout: timeout) else { throw HTTPTestClient.Malformed() }
        return head
    }

    /// The next piece of the body; `nil` when the body ended.
    func nextBytes(timeout: Duration) async throws -> [UInt8]? {
        do {
            guard case .body(let bytes) = try await parts.next(timeout: timeout) else { throw HTTPTestClient.Malformed() }
            return bytes
        } catch is Mailbox<Part>.Finished {
            return nil
        }
    }
}

/// A small HTTP/1.1 client over SwiftNIO, one connection per request, for tests that need the
/// status of a refused WebSocket upgrade or a body that never ends.
enum HTTPTestClient {
    struct Malformed: Error {}

    /// Sends a request and hands the response, as it arrives, to `handle`; the connection closes
    /// when `handle` returns.
    static func withResponse<Value: Sendable>(
        port: Int, method: HTTPMethod, path: String, headers: [(String, String)] = [], body: String? = nil,
        _ handle: @escaping @Sendable (StreamedResponse) async throws -> Value
    ) async throws -> Value {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
            head.headers.add(name: "Host", value: "127.0.0.1:\(port)")
            for (name, value) in headers { head.headers.add(name: name, value: value) }
            if let body { head.headers.add(name: "Content-Length", value: String(body.utf8.count)) }
            try await outbound.write(.head(head))
            if let body { try await outbound.write(.body(.byteBuffer(ByteBuffer(string: body)))) }
            try await outbound.write(.end(nil))

            let response = StreamedResponse()
            return try await withThrowingTaskGroup(of: Value?.self) { group in
                group.addTask {
                    defer { response.parts.finish() }
                    for try await part in inbound {
                        switch part {
                        case .head(let head): response.parts.put(.head(head))
                        case .body(let buffer): response.parts.put(.body(Array(buffer.readableBytesView)))
                        case .end: return nil
                        }
                    }
                    return nil
                }
                group.addTask { try await handle(response) }
                while let result = try await group.next() {
                    if let value = result {
                        group.cancelAll()
                        return value
                    }
                }
                throw Malformed()
            }
        }
    }

    /// Sends a request and reads the whole response.
    static func request(
        port: Int, method: HTTPMethod, path: String, headers: [(String, String)] = [], body: String? = nil,
        timeout: Duration = .seconds(10)
    ) async throws -> HTTPResult {
        try await withResponse(port: port, method: method, path: path, headers: headers, body: body) { response in
            let head = try await response.head(timeout: timeout)
            var bytes: [UInt8] = []
            while let more = try await response.nextBytes(timeout: timeout) { bytes += more }
            return HTTPResult(status: head.status, headers: head.headers, body: String(decoding: bytes, as: UTF8.self))
        }
    }
}
