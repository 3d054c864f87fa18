import DragomanCore
import Foundation
import Testing

/// The examples of docs/protocol.md are the protocol's types: each ```json block decodes as the
/// message it shows and encodes back to the same JSON, and every server message has one.
@Suite("docs/protocol.md examples")
struct ProtocolDocumentTests {
    /// The text of every ```json block of docs/protocol.md.
    private static let examples: [String] = {
        let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/protocol.md")
        guard let text = try? String(contentsOf: document, encoding: .utf8) else { return [] }
        var blocks: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```json" {
                current = []
            } else if let lines = current, line == "```" {
                blocks.append(lines.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }()

    private static func object(_ text: String) throws -> NSDictionary {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary, "not a JSON object: \(text)")
    }

    /// The server's messages among the examples: the objects with a `type` and a `timestamp`.
    private static var serverExamples: [String] {
        examples.filter { text in (try? object(text)).map { $0["type"] != nil && $0["timestamp"] != nil } ?? false }
    }

    @Test func everyExampleIsAJSONObject() throws {
        #expect(Self.examples.count >= 30)
        for text in Self.examples { _ = try Self.object(text) }
    }

    @Test func serverMessagesDecodeAndEncodeBackTheSame() throws {
        for text in Self.serverExamples {
            let message = try ServerMessage.decode(text)
            #expect(try Self.object(message.encoded()) == Self.object(text), "\(text)")
        }
    }

    @Test func clientMessagesParse() throws {
        let clientExamples = try Self.examples.filter { try Self.object($0)["action"] != nil }
        #expect(!clientExamples.isEmpty)
        for text in clientExamples {
            #expect(throws: Never.self, "\(text)") { try ClientMessage.parse(text) }
        }
    }

    @Test func everyServerMessageHasAnExample() throws {
        let shown = Set(try Self.serverExamples.map { try ServerMessage.decode($0).type })
        let all: Set<String> = [
            "sessionCreated", "sessionJoined", "connectionRefreshComplete", "interpreterJoined", "transcript", "audioData", "audioSkipped",
            "sessionStatus", "broadcastPaused", "broadcastResumed", "broadcastMuted", "broadcastUnmuted", "volumeChanged", "speakerStateChanged",
            "speakerDisconnected", "speakerReconnected", "sessionEnded", "connectionWarning", "connectionRefreshRequired", "languageChanged",
            "playbackPaused", "playbackResumed", "interpreterMuted", "interpreterUnmuted", "voiceChanged", "heartbeatAck", "error",
        ]
        #expect(all.subtracting(shown).isEmpty, "without an example: \(all.subtracting(shown).sorted())")
    }
}
