import DragomanCore
import DragomanSpeech
import Foundation
import HummingbirdWebSocket
import NIOCore

/// Amazon Transcribe's streaming WebSocket (`/stream-transcription-websocket`), as far as
/// Dragoman uses it, played on `FakeSpeechServices`' port: it records each stream's presigned
/// query and the audio events it is sent, answers the first audio with a partial transcript (or an
/// exception, after which it closes), and the empty event that ends the audio with the final
/// transcripts, then closes; or it answers nothing. The messages are the shapes AWS documents.
actor FakeTranscribe {
    /// One stream, as the fake saw it.
    struct Stream: Sendable {
        /// The query of the URL it was opened at, by name.
        var query: [String: String]
        var audioEvents = 0
        /// The bytes of audio of all the audio events.
        var audioBytes = 0
        /// Whether the empty audio event that ends the audio came.
        var ended = false
        /// What came that was not an audio event.
        var unexpected: [String] = []
    }

    /// How it answers.
    enum Answer: Sendable {
        /// A partial result after the first audio, then each final one after the end of the audio.
        case transcript(partial: String, finals: [String])
        /// This exception after the first audio.
        case exception(type: String, message: String)
        /// Nothing, and the stream is never closed.
        case nothing
    }

    let answer: Answer
    private(set) var streams: [Stream] = []

    init(answer: Answer) {
        self.answer = answer
    }

    /// Upgrades a request for a stream; refuses any other.
    nonisolated func shouldUpgrade(_ path: String?) -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        guard let path, let components = URLComponents(string: path), components.path == "/stream-transcription-websocket" else { return .dontUpgrade }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }) { first, _ in first }
        return .upgrade([:]) { inbound, outbound, _ in
            let stream = await self.opened(query)
            for try await message in inbound.messages(maxSize: 1 << 20) {
                guard case .binary(let buffer) = message else { continue }
                let (answers, done) = await self.received(Array(buffer.readableBytesView), on: stream)
                for answer in answers { try await outbound.write(.binary(ByteBuffer(bytes: answer.encoded))) }
                if done { return }
            }
        }
    }

    private func opened(_ query: [String: String]) -> Int {
        streams.append(Stream(query: query))
        return streams.count - 1
    }

    /// The messages to answer one with, and whether to close after them.
    private func received(_ bytes: [UInt8], on index: Int) -> (answers: [AWSEventStreamMessage], close: Bool) {
        guard let event = try? AWSEventStreamMessage(decoding: bytes), event[header: ":message-type"]?.stringValue == "event",
            event[header: ":event-type"]?.stringValue == "AudioEvent", event[header: ":content-type"]?.stringValue == "application/octet-stream"
        else {
            streams[index].unexpected.append("\((try? AWSEventStreamMessage(decoding: bytes).headers).map { "\($0)" } ?? "\(bytes.count) unreadable bytes")")
            return ([], false)
        }
        streams[index].audioEvents += 1
        streams[index].audioBytes += event.payload.count
        switch answer {
        case .transcript(_, let finals) where event.payload.isEmpty:
            streams[index].ended = true
            return (finals.enumerated().map { Self.transcriptEvent($1, isPartial: false, result: $0) }, true)
        case .transcript(let partial, _) where streams[index].audioEvents == 1:
            return ([Self.transcriptEvent(partial, isPartial: true, result: 0)], false)
        case .exception(let type, let message) where streams[index].audioEvents == 1:
            return ([Self.exception(type, message: message)], true)
        default:
            return ([], false)
        }
    }

    /// A `TranscriptEvent` of one result, the `result`th of the stream.
    static func transcriptEvent(_ text: String, isPartial: Bool, result: Int) -> AWSEventStreamMessage {
        let result: JSONValue = [
            "Alternatives": [["Items": [], "Transcript": .string(text)]], "ChannelId": "ch_0", "EndTime": 1.5, "IsPartial": .bool(isPartial),
            "ResultId": .string("result-\(result)"), "StartTime": 0.3,
        ]
        return AWSEventStreamMessage(
            headers: [
                .init(":event-type", .string("TranscriptEvent")), .init(":content-type", .string("application/json")),
                .init(":message-type", .string("event")),
            ],
            payload: Array(try! JSONEncoder().encode(["Transcript": ["Results": [result]]] as JSONValue)))
    }

    /// An exception, with its message in the payload as Transcribe sends it.
    static func exception(_ type: String, message: String) -> AWSEventStreamMessage {
        AWSEventStreamMessage(
            headers: [
                .init(":exception-type", .string(type)), .init(":content-type", .string("application/json")),
                .init(":message-type", .string("exception")),
            ],
            payload: Array(try! JSONEncoder().encode(["Message": .string(message)] as JSONValue)))
    }
}
