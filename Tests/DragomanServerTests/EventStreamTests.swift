import DragomanCore
import Foundation
import Testing

/// `GET /v1/events`: the operator stream of "Session Status Change" CloudEvents.
@Suite("Operator event stream")
struct EventStreamTests {
    /// Opens the stream with `key` (and `Last-Event-ID` when given) and reads it in `body`.
    static func withEvents<Value: Sendable>(
        _ server: TestServer, key: String, lastEventID: String? = nil,
        _ body: @escaping @Sendable (EventStreamReader) async throws -> Value
    ) async throws -> Value {
        var headers = [("Authorization", "Bearer \(key)"), ("Accept", "text/event-stream")]
        if let lastEventID { headers.append(("Last-Event-ID", lastEventID)) }
        return try await HTTPTestClient.withResponse(port: server.port, method: .GET, path: "/v1/events", headers: headers) { response in
            let head = try await response.head()
            #expect(head.status.code == 200)
            #expect(head.headers["Content-Type"].first?.hasPrefix("text/event-stream") == true)
            return try await body(EventStreamReader(response))
        }
    }

    /// The events of one session, in order.
    static func events(of sessionId: String, count: Int, from reader: EventStreamReader) async throws -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        while events.count < count {
            events.append(try await reader.next { $0.json?["data"]?["sessionId"]?.stringValue == sessionId })
        }
        return events
    }

    @Test func needsAnOperatorKey() async throws {
        try await TestServer.run { server in
            #expect(try await server.http(.GET, "/v1/events").code == 401)
            #expect(try await server.http(.GET, "/v1/events", key: "dgk_wrong").code == 401)
            let speaker = try await server.http(.GET, "/v1/events", key: server.keys.speaker)
            #expect(speaker.code == 403)
            #expect(speaker.json?["error"]?["message"]?.stringValue?.isEmpty == false)
        }
    }

    @Test func everyStatusChangeIsACloudEvent() async throws {
        try await TestServer.run { server in
            let server = server
            try await Self.withEvents(server, key: server.keys.operator) { reader in
                let (speaker, sessionId, _) = try await server.speaker(extra: ["title": "Events"])
                speaker.send(action: "pauseBroadcast")
                try await speaker.expect("broadcastPaused")
                speaker.send(action: "resumeBroadcast")
                try await speaker.expect("broadcastResumed")
                #expect(try await server.http(.DELETE, "/v1/sessions/\(sessionId)", key: server.keys.speaker).code == 204)

                let events = try await Self.events(of: sessionId, count: 5, from: reader)
                let expected: [(String, String?, String)] = [
                    ("created", nil, "created"), ("active", "created", "speakerConnected"), ("paused", "active", "broadcastPaused"),
                    ("active", "paused", "broadcastResumed"), ("ended", "active", "endedBySpeaker"),
                ]
                var ids = Set<String>()
                var sequence = 0
                for (event, (status, previous, reason)) in zip(events, expected) {
                    #expect(event.event == "Session Status Change")
                    let id = try #require(event.id.flatMap { Int($0) })
                    #expect(id > sequence)
                    sequence = id
                    let document = try #require(event.json)
                    #expect(document["specversion"]?.stringValue == "1.0")
                    #expect(document["type"]?.stringValue == "Session Status Change")
                    #expect(document["source"]?.stringValue?.isEmpty == false)
                    #expect(document["subject"]?.stringValue == sessionId)
                    #expect(document["datacontenttype"]?.stringValue == "application/json")
                    #expect(document["time"]?.stringValue.flatMap { ISO8601DateFormatter().date(from: $0) } != nil)
                    ids.insert(try #require(document["id"]?.stringValue))
                    let data = try #require(document["data"])
                    #expect(data["sessionId"]?.stringValue == sessionId)
                    #expect(data["status"]?.stringValue == status)
                    #expect(data["previousStatus"] == (previous.map { JSONValue.string($0) } ?? .null))
                    #expect(data.keys.contains("previousStatus"))
                    #expect(data["reason"]?.stringValue == reason)
                    #expect(data["title"]?.stringValue == "Events")
                    #expect(data["sourceLanguage"]?.stringValue == "en")
                }
                #expect(ids.count == 5)
                // The speaker's connection closing after the end adds nothing.
                #expect(try await speaker.closeCode() == .normalClosure)
            }
        }
    }

    @Test func aDroppedSpeakerAndGraceExpiryAreEvents() async throws {
        try await TestServer.run(configure: { $0.speakerGracePeriod = 0.3 }) { server in
            let server = server
            try await Self.withEvents(server, key: server.keys.operator) { reader in
                let (speaker, sessionId, _) = try await server.speaker()
                await speaker.disconnect()
                let events = try await Self.events(of: sessionId, count: 4, from: reader)
                let summary = events.map { ($0.json?["data"]?["status"]?.stringValue ?? "", $0.json?["data"]?["reason"]?.stringValue ?? "") }
                #expect(summary.map(\.0) == ["created", "active", "paused", "ended"])
                #expect(summary.map(\.1) == ["created", "speakerConnected", "speakerDisconnected", "gracePeriodExpired"])
            }
        }
    }

    @Test func historyIsReplayedAndLastEventIDResumes() async throws {
        try await TestServer.run { server in
            let server = server
            let first = try await server.createSession()
            let second = try await server.createSession()
            _ = try await server.http(.DELETE, "/v1/sessions/\(first)", key: server.keys.speaker)
            // A new subscriber gets the whole history first.
            let history = try await Self.withEvents(server, key: server.keys.operator) { reader in
                var events: [ServerSentEvent] = []
                for _ in 0..<3 { events.append(try await reader.next()) }
                return events.map { ($0.id ?? "", $0.data) }
            }
            #expect(history.map { JSONValue.decode($0.1)?["data"]?["sessionId"]?.stringValue } == [first, second, first])
            // Resuming after the first event replays the rest, unchanged.
            let resumed = try await Self.withEvents(server, key: server.keys.operator, lastEventID: history[0].0) { reader in
                var events: [ServerSentEvent] = []
                for _ in 0..<2 { events.append(try await reader.next()) }
                return events.map { ($0.id ?? "", $0.data) }
            }
            #expect(resumed.map(\.0) == history.dropFirst().map(\.0))
            #expect(resumed.map(\.1) == history.dropFirst().map(\.1))
            // `?after=` does the same for clients that cannot set headers.
            let viaQuery = try await HTTPTestClient.withResponse(
                port: server.port, method: .GET, path: "/v1/events?after=\(history[1].0)", headers: [("Authorization", "Bearer \(server.keys.operator)")]
            ) { response in
                _ = try await response.head()
                return try await EventStreamReader(response).next().id
            }
            #expect(viaQuery == history[2].0)
        }
    }

    @Test func liveEventsFollowTheHistory() async throws {
        try await TestServer.run { server in
            let server = server
            let old = try await server.createSession()
            try await Self.withEvents(server, key: server.keys.operator) { reader in
                let replayed = try await reader.next()
                #expect(replayed.json?["data"]?["sessionId"]?.stringValue == old)
                let fresh = try await server.createSession()
                let live = try await reader.next()
                #expect(live.json?["data"]?["sessionId"]?.stringValue == fresh)
                #expect(reader.comments.contains("live"))
                #expect(Int(live.id ?? "") ?? 0 > Int(replayed.id ?? "") ?? 0)
            }
        }
    }
}

extension JSONValue {
    /// Decodes JSON text.
    static func decode(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }
}
