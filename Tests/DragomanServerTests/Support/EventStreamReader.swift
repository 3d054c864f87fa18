import DragomanCore
import Foundation

/// One server-sent event.
struct ServerSentEvent: Sendable {
    var id: String?
    var event: String?
    var data: String

    /// The data as JSON.
    var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(data.utf8)) }
}

/// Reads `text/event-stream` from a streamed response, one event at a time.
final class EventStreamReader: @unchecked Sendable {
    // Only the test task that owns the reader uses it.
    private let response: StreamedResponse
    private var buffer: [UInt8] = []
    /// Comment lines seen so far (`: live` marks the end of the replayed history).
    private(set) var comments: [String] = []

    init(_ response: StreamedResponse) {
        self.response = response
    }

    /// The next event (comments are collected, not returned).
    func next(timeout: Duration = .seconds(15)) async throws -> ServerSentEvent {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let event = takeEvent() { return event }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw Mailbox<StreamedResponse.Part>.TimedOut(after: timeout) }
            guard let bytes = try await response.nextBytes(timeout: remaining) else { throw Mailbox<StreamedResponse.Part>.Finished() }
            buffer += bytes
        }
    }

    /// Skips events until one passes `condition`.
    func next(timeout: Duration = .seconds(15), where condition: (ServerSentEvent) -> Bool) async throws -> ServerSentEvent {
        let deadline = ContinuousClock.now + timeout
        while true {
            let event = try await next(timeout: deadline - ContinuousClock.now)
            if condition(event) { return event }
        }
    }

    /// Parses one complete event out of the buffer, if there is one.
    private func takeEvent() -> ServerSentEvent? {
        while let end = blockEnd() {
            let block = String(decoding: buffer[..<end.start], as: UTF8.self)
            buffer.removeSubrange(..<end.next)
            var event = ServerSentEvent(data: "")
            var dataLines: [String] = []
            for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix(":") {
                    comments.append(line.dropFirst().trimmingCharacters(in: .whitespaces))
                    continue
                }
                let (field, value) = line.firstIndex(of: ":").map { (String(line[..<$0]), String(line[line.index(after: $0)...])) } ?? (String(line), "")
                let trimmed = value.hasPrefix(" ") ? String(value.dropFirst()) : value
                switch field {
                case "id": event.id = trimmed
                case "event": event.event = trimmed
                case "data": dataLines.append(trimmed)
                default: break
                }
            }
            guard !dataLines.isEmpty else { continue }
            event.data = dataLines.joined(separator: "\n")
            return event
        }
        return nil
    }

    /// Where the first blank line (`\n\n`) ends a block.
    private func blockEnd() -> (start: Int, next: Int)? {
        guard buffer.count >= 2 else { return nil }
        for index in 0..<(buffer.count - 1) where buffer[index] == 10 && buffer[index + 1] == 10 {
            return (index, index + 2)
        }
        return nil
    }
}
