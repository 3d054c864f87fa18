import AsyncHTTPClient
import DragomanCore
import Foundation
import NIOCore
import NIOHTTP1

/// What the HTTP engines (OpenAI-compatible, LibreTranslate, Amazon) have in common: a request
/// with a body, a check of the status, JSON in and out, and a clear error otherwise.
struct EngineHTTPClient: Sendable {
    /// For logs and errors: `OpenAI-compatible`, `LibreTranslate`, `Amazon Polly`.
    let engine: String
    var timeout: TimeAmount = .seconds(30)

    /// Sends a request and returns its response once its status is 2xx.
    /// - Throws: `EngineHTTPError` for another status (with the start of the body, which says why).
    func send(_ method: HTTPMethod, _ url: URL, headers: [(name: String, value: String)], body: [UInt8]) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        guard (200..<300).contains(response.status.code) else {
            let text = String(buffer: try await response.body.collect(upTo: 4_096))
            throw EngineHTTPError(engine: engine, status: Int(response.status.code), body: text)
        }
        return response
    }

    /// Posts JSON.
    func post(_ url: URL, headers: [(name: String, value: String)] = [], json body: JSONValue) async throws -> HTTPClientResponse {
        try await send(.POST, url, headers: headers + [(name: "Content-Type", value: "application/json")], body: Array(try JSONEncoder().encode(body)))
    }

    /// Posts JSON and decodes the JSON answer.
    func json(_ url: URL, headers: [(name: String, value: String)] = [], body: JSONValue) async throws -> JSONValue {
        try await Self.json(of: try await post(url, headers: headers, json: body))
    }

    /// The JSON body of an answer.
    static func json(of response: HTTPClientResponse) async throws -> JSONValue {
        let bytes = try await response.body.collect(upTo: 8 * 1024 * 1024)
        return try JSONDecoder().decode(JSONValue.self, from: Data(bytes.readableBytesView))
    }

    /// A streamed answer of raw 16-bit little-endian PCM, as speech chunks; a byte that ends a
    /// network read half-way through a sample waits for the next one.
    static func pcmChunks(_ response: HTTPClientResponse) -> AsyncThrowingStream<[Int16], any Error> {
        AsyncThrowingStream { continuation in
            let reader = Task {
                do {
                    var carry: [UInt8] = []
                    for try await buffer in response.body {
                        let bytes = carry + Array(buffer.readableBytesView)
                        let whole = bytes.count - bytes.count % 2
                        carry = Array(bytes[whole...])
                        if whole > 0 { continuation.yield(PCM.samples(fromLittleEndian: bytes[..<whole])) }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in reader.cancel() }
        }
    }

    /// The text at `path` of a JSON answer (`choices.0.message.content`).
    func text(in answer: JSONValue, at path: [String]) throws -> String {
        var value: JSONValue? = answer
        for key in path {
            if let index = Int(key), case .array(let items) = value { value = items.indices.contains(index) ? items[index] : nil } else { value = value?[key] }
        }
        guard let text = value?.stringValue else { throw EngineHTTPError(engine: engine, status: 200, body: "no \(path.joined(separator: ".")) in the answer") }
        return text
    }
}

/// An HTTP engine answered with an error.
public struct EngineHTTPError: Error, CustomStringConvertible {
    public let engine: String
    public let status: Int
    public let body: String
    public var description: String { "\(engine) answered \(status): \(body.prefix(300))" }
}

/// A language an HTTP engine was not configured for.
public struct UnconfiguredLanguage: Error, CustomStringConvertible {
    public let engine: String
    public let language: String
    public var description: String { "\(engine) is not configured for language \(language)" }
}
