import DragomanCore
import Testing

@testable import DragomanServer

/// A client that reads too slowly loses speech first, and is told when it has caught up.
@Suite("Slow clients")
struct SlowClientTests {
    @Test("past half its queue, audio is skipped but other messages are queued; audioSkipped says how much once it drains")
    func audioSkippedThenTold() async throws {
        let connection = ClientConnection(role: .listener, queueLimit: 16)
        for index in 0..<12 { connection.send(audio: .text("audio \(index)")) }
        connection.send(text: "caption")

        var received: [String] = []
        for await frame in connection.outbound {
            connection.didTakeFrame()
            guard case .text(let text) = frame else { continue }
            received.append(text)
            if Message(text: text)?.type == "audioSkipped" || received.count > 10 { break }
        }
        #expect(Array(received.prefix(9)) == (0..<8).map { "audio \($0)" } + ["caption"])
        let notice = try #require(received.last.flatMap { Message(text: $0) })
        #expect(notice.type == "audioSkipped")
        #expect(notice["skippedChunks"]?.intValue == 4)
    }
}
