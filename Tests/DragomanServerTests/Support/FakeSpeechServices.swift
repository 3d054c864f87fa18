import DragomanCore
import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWebSocket
import NIOCore

/// One HTTP server that plays an OpenAI-compatible API, LibreTranslate, Amazon Translate and
/// Amazon Polly (and Amazon Transcribe's WebSocket, with a `FakeTranscribe`), as far as Dragoman's
/// engines use them, and records what it was sent. No real service is reachable from the test
/// machines; the answers are the shapes those services document.
actor FakeSpeechServices {
    struct Received: Sendable {
        var path: String
        /// By lowercased name.
        var headers: [String: String]
        var body: [UInt8]
        var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(body)) }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    private(set) var received: [Received] = []

    func record(_ request: Request) async throws -> Received {
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let body = try await request.body.collect(upTo: 10 * 1024 * 1024)
        let received = Received(path: request.uri.path, headers: headers, body: Array(body.readableBytesView))
        self.received.append(received)
        return received
    }

    /// Runs `body` with the base URL of a running fake, which upgrades `transcribe`'s WebSockets.
    func run(transcribe: FakeTranscribe? = nil, _ body: @escaping @Sendable (URL) async throws -> Void) async throws {
        let router = Router()
        router.post("v1/audio/transcriptions") { request, _ -> Response in
            _ = try await self.record(request)
            return Self.json(["text": " Good morning, everyone. "])
        }
        router.post("v1/chat/completions") { request, _ -> Response in
            _ = try await self.record(request)
            return Self.json(["choices": [["message": ["role": "assistant", "content": "Buenos días a todos.\n"]]]])
        }
        router.post("v1/audio/speech") { request, _ -> Response in
            _ = try await self.record(request)
            return Self.pcm(samples: 2_400)
        }
        router.post("translate") { request, _ -> Response in
            _ = try await self.record(request)
            return Self.json(["translatedText": "Buenos días"])
        }
        // Amazon Translate: every action is a POST to / named by X-Amz-Target.
        router.post("/") { request, _ -> Response in
            _ = try await self.record(request)
            return Self.json(["TranslatedText": "Buenos días", "SourceLanguageCode": "en", "TargetLanguageCode": "es"])
        }
        router.post("v1/speech") { request, _ -> Response in
            _ = try await self.record(request)
            return Self.pcm(samples: 1_600)
        }
        let app = Application(
            router: router, server: .http1WebSocketUpgrade { request, _, _ in transcribe?.shouldUpgrade(request.path) ?? .dontUpgrade },
            configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            try await body(URL(string: "http://127.0.0.1:\(client.port!)")!)
        }
    }

    private static func json(_ value: JSONValue) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try! JSONEncoder().encode(value))))
    }

    /// Speech as raw PCM, sent in two pieces that split a sample, as a network may.
    private static func pcm(samples: Int) -> Response {
        let bytes = (0..<samples).flatMap { index -> [UInt8] in
            let sample = Int16(index % 100)
            return [UInt8(truncatingIfNeeded: sample), UInt8(truncatingIfNeeded: sample >> 8)]
        }
        let half = bytes.count / 2 + 1
        return Response(
            status: .ok, headers: [.contentType: "audio/pcm"],
            body: ResponseBody { writer in
                try await writer.write(ByteBuffer(bytes: bytes[..<half]))
                try await writer.write(ByteBuffer(bytes: bytes[half...]))
                try await writer.finish(nil)
            })
    }
}
