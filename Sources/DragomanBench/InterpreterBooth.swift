import DragomanClient
import DragomanCore
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The bench's two interpreters of one language, taking turns as at an event: the first is on
/// the air; at the hand-over the second unmutes and the first mutes.
struct InterpreterBooth {
    let first: LiveConnection
    let second: LiveConnection
    private var firstMessages: AsyncStream<LiveConnection.Received>.Iterator
    private var secondMessages: AsyncStream<LiveConnection.Received>.Iterator

    /// Creates two interpreter credentials for `language` over HTTP and connects them, the first
    /// on the air and the second muted.
    static func open(address: ServerAddress, key: String, sessionId: String, language: String) async throws -> InterpreterBooth {
        var connections: [LiveConnection] = []
        for (name, muted) in [("First", false), ("Second", true)] {
            let token = try await invite(address: address, key: key, sessionId: sessionId, language: language, name: name)
            var query = ["action": "interpretSession", "sessionId": sessionId, "token": token]
            if muted { query["muted"] = "true" }
            connections.append(try await LiveConnection.open(address.webSocketURL(query)))
        }
        var booth = InterpreterBooth(first: connections[0], second: connections[1])
        try await booth.wait(for: "interpreterJoined", from: \.firstMessages)
        try await booth.wait(for: "interpreterJoined", from: \.secondMessages)
        return booth
    }

    private init(first: LiveConnection, second: LiveConnection) {
        self.first = first
        self.second = second
        firstMessages = first.messages.makeAsyncIterator()
        secondMessages = second.messages.makeAsyncIterator()
    }

    /// Hands the air from the first interpreter to the second once the server has read all the
    /// first one sent, and returns when the second is on the air.
    mutating func handOver() async throws {
        first.send(["action": "heartbeat"])
        try await wait(for: "heartbeatAck", from: \.firstMessages)
        second.send(["action": "unmuteInterpreter"])
        try await wait(for: "interpreterUnmuted", from: \.secondMessages)
        first.send(["action": "muteInterpreter"])
    }

    func close() {
        first.close()
        second.close()
    }

    private mutating func wait(for type: String, from messages: WritableKeyPath<InterpreterBooth, AsyncStream<LiveConnection.Received>.Iterator>) async throws {
        while let message = await self[keyPath: messages].next() {
            if message.type == type { return }
        }
        throw BenchError("an interpreter's connection closed before \(type)")
    }

    private static func invite(address: ServerAddress, key: String, sessionId: String, language: String, name: String) async throws -> String {
        var request = URLRequest(url: URL(string: "\(address.httpBase)/v1/sessions/\(sessionId)/interpreters")!)
        request.httpMethod = "POST"
        request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONEncoder().encode(["language": language, "name": name])
        let (body, _) = try await URLSession.shared.data(for: request)
        guard let token = try JSONDecoder().decode(JSONValue.self, from: body)["token"]?.stringValue else {
            throw BenchError("no interpreter credential: \(String(decoding: body, as: UTF8.self))")
        }
        return token
    }
}
