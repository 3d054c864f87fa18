import DragomanCore
import DragomanServer
import DragomanStore
import Foundation
import Logging
import NIOCore
import PostgresNIO
import Testing

/// Three nodes on one PostgreSQL: the speaker on one, listeners on the others, then the speaker's
/// node dies and the session goes on elsewhere.
@Suite("Several nodes on one PostgreSQL", .serialized, .enabled(if: ClusterTestNode.databaseURL != nil, "DRAGOMAN_TEST_POSTGRES_URL is not set"))
struct MultiNodeTests {
    /// Fast segments, no audio rate limit, a short heartbeat so a dead node is counted out quickly.
    static func configure(_ settings: inout ServerConfiguration) {
        settings.audioChunksPerSecond = 1_000
        settings.segmentPause = 0.2
        settings.clusterHeartbeat = 0.5
    }

    /// Runs `body` with three nodes sharing keys, and kills those still running afterwards.
    static func withThreeNodes(_ body: ([ClusterTestNode]) async throws -> Void) async throws {
        let first = try await ClusterTestNode.start(keys: nil, configure: configure)
        var nodes = [first]
        do {
            for _ in 0..<2 { nodes.append(try await ClusterTestNode.start(keys: first.server.keys, configure: configure)) }
            try await body(nodes)
        } catch {
            for node in nodes { await node.kill() }
            throw error
        }
        for node in nodes { await node.kill() }
    }

    /// Speaks `count` utterances and returns the segments of the final captions the speaker reads back.
    static func speak(_ count: Int, to speaker: WebSocketTestClient) async throws -> [Int] {
        var segments: [Int] = []
        for _ in 0..<count {
            for frame in ToneFrames.utterance() { speaker.send(binary: frame) }
            let final = try await speaker.waitFor("transcript", timeout: .seconds(20)) { $0["isFinal"]?.boolValue == true }.message
            segments.append(try #require(final["segmentId"]?.intValue))
        }
        return segments
    }

    /// Speaks `count` utterances and waits until each listener has received every final caption, and
    /// its speech where the fake synthesizer speaks the language; returns the segments.
    static func speak(_ count: Int, to speaker: WebSocketTestClient, heardBy listeners: [(WebSocketTestClient, String)]) async throws -> [Int] {
        let segments = try await speak(count, to: speaker)
        for (listener, language) in listeners {
            try await receive(segments, on: listener, language: language, audio: FakeEngines.Synthesizer().supportedLanguages.contains(language))
        }
        return segments
    }

    /// Reads a listener until it has the final caption, and with `audio` the last chunk of speech
    /// (PCM or Opus), of every one of `segments`, checking each is in its language.
    static func receive(_ segments: [Int], on listener: WebSocketTestClient, language: String, audio: Bool) async throws {
        var captioned: Set<Int> = []
        var spoken: Set<Int> = []
        while !captioned.isSuperset(of: segments) || (audio && !spoken.isSuperset(of: segments)) {
            let text: String
            switch try await listener.inbox.next(timeout: .seconds(20)) {
            case .binary(let bytes):
                let frame = try #require(OpusAudioFrame(bytes: bytes))
                #expect(frame.language.rawValue == language)
                if frame.isLastOfSegment { spoken.insert(Int(frame.segmentId)) }
                continue
            case .text(let received):
                text = received
            }
            guard let message = Message(text: text), let segment = message["segmentId"]?.intValue else { continue }
            if message.type == "transcript", message["isFinal"]?.boolValue == true {
                #expect(message["targetLanguage"]?.stringValue == language)
                #expect(message["text"]?.stringValue == "[\(language)] Good evening.")
                captioned.insert(segment)
            }
            if message.type == "audioData", message["isLastChunk"]?.boolValue == true {
                #expect(message["targetLanguage"]?.stringValue == language)
                spoken.insert(segment)
            }
        }
    }

    /// Asks for the status until it counts `count` listeners in all.
    static func awaitListenerCount(_ count: Int, speaker: WebSocketTestClient) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            speaker.send(action: "getSessionStatus")
            let status = try await speaker.waitFor("sessionStatus") { $0["updateReason"]?.stringValue == "requested" }.message
            if status["listenerCount"]?.intValue == count { return }
            try await Task.sleep(for: .milliseconds(600))
        }
        Issue.record("The status never counted \(count) listeners")
    }

    @Test("a listener that comes back to a node other than the speaker's recovers the final captions that node was relayed")
    func recoveryOnAnotherNode() async throws {
        try await Self.withThreeNodes { nodes in
            let (a, b) = (nodes[0].server, nodes[1].server)
            let (speaker, sessionId, _) = try await a.speaker()
            let (watcher, joined) = try await b.listener(sessionId, language: "es")
            try await Self.awaitListenerCount(1, speaker: speaker)
            let epoch = try #require(joined["epoch"]?.stringValue)
            let since = try #require(joined["sequence"]?.intValue)
            let segments = try await Self.speak(2, to: speaker, heardBy: [(watcher, "es")])
            // Node B keeps the finals relayed to it (the frame says it is final), so a listener
            // that missed them gets them from B.
            let returning = b.connect(["action": "joinSession", "sessionId": sessionId, "targetLanguage": "es", "epoch": epoch, "since": "\(since)"])
            let rejoined = try await returning.expect("sessionJoined")
            #expect(rejoined["recovered"]?.boolValue == true)
            var replayed: [Int] = []
            for _ in segments {
                let caption = try await returning.expect("transcript")
                #expect(caption["isFinal"]?.boolValue == true)
                replayed.append(try #require(caption["segmentId"]?.intValue))
            }
            #expect(replayed == segments)
        }
    }

    @Test("listeners on other nodes get every final caption and its speech, across the death of the speaker's node")
    func failover() async throws {
        try await Self.withThreeNodes { nodes in
            let (a, b, c) = (nodes[0].server, nodes[1].server, nodes[2].server)
            let (speaker, sessionId, _) = try await a.speaker()
            let spanish = try await b.listener(sessionId, language: "es").client
            // The French listener hears Opus: binary frames, relayed as they are.
            let french = c.connect(["action": "joinSession", "sessionId": sessionId, "targetLanguage": "fr", "audioFormat": "opus"])
            try await french.expect("sessionJoined")
            let catalanOnA = try await a.listener(sessionId, language: "ca").client
            // sessionStatus counts the listeners of every node.
            try await Self.awaitListenerCount(3, speaker: speaker)

            let before = try await Self.speak(3, to: speaker, heardBy: [(spanish, "es"), (french, "fr"), (catalanOnA, "ca")])
            #expect(before == [1, 2, 3])

            // Node A dies with the speaker and a listener on it.
            await nodes[0].kill()
            _ = try await speaker.ending(timeout: .seconds(10))
            _ = try await catalanOnA.ending(timeout: .seconds(10))

            // The speaker reconnects to B, the Catalan listener to C.
            let movedSpeaker = b.connect(["action": "refreshConnection", "sessionId": sessionId, "role": "speaker", "token": b.keys.speaker])
            try await movedSpeaker.expect("connectionRefreshComplete", timeout: .seconds(10))
            let catalan = c.connect(["action": "refreshConnection", "sessionId": sessionId, "role": "listener", "targetLanguage": "ca"])
            try await catalan.expect("connectionRefreshComplete")
            // A's listener stops counting once its node misses its heartbeats.
            try await Self.awaitListenerCount(3, speaker: movedSpeaker)

            let after = try await Self.speak(3, to: movedSpeaker, heardBy: [(spanish, "es"), (french, "fr"), (catalan, "ca")])
            #expect(after == [4, 5, 6])

            // Nothing stored before the death is lost.
            let transcript = try await c.store.transcript(sessionId: sessionId)
            #expect(transcript.map(\.index) == [1, 2, 3, 4, 5, 6])
            for segment in transcript {
                #expect(Set(segment.translations.keys.map(\.rawValue)) == ["es", "fr", "ca"], "\(segment)")
            }
            for client in [movedSpeaker, spanish, french, catalan] { await client.disconnect() }
        }
    }

    @Test("an interpreter on one node replaces the machine voice for listeners on another; revoking it on a third closes it")
    func interpreterOnAnotherNode() async throws {
        try await Self.withThreeNodes { nodes in
            let (a, b, c) = (nodes[0].server, nodes[1].server, nodes[2].server)
            let (speaker, sessionId, _) = try await a.speaker()
            let spanish = try await c.listener(sessionId, language: "es").client
            let french = try await c.listener(sessionId, language: "fr").client
            try await Self.awaitListenerCount(2, speaker: speaker)
            let invitation = try await InterpreterTests.invite(a, sessionId)

            let (interpreter, _) = try await InterpreterTests.interpreter(b, sessionId, token: invitation.token)
            for client in [speaker, spanish] {
                let change = try await client.waitFor("voiceChanged", timeout: .seconds(10)).message
                #expect(change["interpreter"]?.stringValue == "Maria")
            }
            let listed = try await a.http(.GET, "/v1/sessions/\(sessionId)/interpreters", key: a.keys.speaker).json?["interpreters"]?.arrayValue
            #expect(listed?.first?["onAir"]?.boolValue == true)

            let voice = InterpreterTests.frames(10, voice: 1)
            try await InterpreterTests.send(voice, from: interpreter)
            #expect(try await InterpreterTests.interpreterAudio(spanish, count: voice.count).map(InterpreterTests.samples) == voice)

            // The node running the pipeline holds back the Spanish machine voice, not the French.
            let segments = try await Self.speak(1, to: speaker)
            try await Self.receive(segments, on: french, language: "fr", audio: true)
            try await spanish.waitFor("transcript", timeout: .seconds(10)) { $0["isFinal"]?.boolValue == true }
            #expect(try await spanish.barrier().allSatisfy { $0.type != "audioData" })

            // Revoked through a node it is not connected to, it is closed all the same.
            let revoked = try await c.http(.DELETE, "/v1/sessions/\(sessionId)/interpreters/\(invitation.id)", key: c.keys.speaker)
            #expect(revoked.code == 204)
            try await interpreter.expectError("UNAUTHORIZED", timeout: .seconds(10))
            #expect(try await interpreter.closeCode(timeout: .seconds(10)) == .policyViolation)
            let change = try await spanish.waitFor("voiceChanged", timeout: .seconds(10)).message
            #expect(change["voice"]?.stringValue == "machine")
            for client in [speaker, spanish, french] { await client.disconnect() }
        }
    }

    @Test("a node that loads the session later knows who interprets; when the interpreter's node dies, the machine speaks again")
    func interpreterNodeDies() async throws {
        try await Self.withThreeNodes { nodes in
            let (a, b, c) = (nodes[0].server, nodes[1].server, nodes[2].server)
            let (speaker, sessionId, _) = try await a.speaker()
            let invitation = try await InterpreterTests.invite(a, sessionId)
            let (interpreter, _) = try await InterpreterTests.interpreter(b, sessionId, token: invitation.token)
            try await speaker.waitFor("voiceChanged", timeout: .seconds(10)) { $0["interpreter"]?.stringValue == "Maria" }

            let (spanish, joined) = try await c.listener(sessionId, language: "es")
            #expect(joined["voice"]?.stringValue == "interpreter")
            #expect(joined["interpreter"]?.stringValue == "Maria")

            // B dies with its interpreter: once its counts expire, A and C give Spanish back to the machine.
            await nodes[1].kill()
            _ = try await interpreter.ending(timeout: .seconds(10))
            for client in [speaker, spanish] {
                try await client.waitFor("voiceChanged", timeout: .seconds(10)) { $0["voice"]?.stringValue == "machine" }
            }
            let segments = try await Self.speak(1, to: speaker)
            try await Self.receive(segments, on: spanish, language: "es", audio: true)
            for client in [speaker, spanish] { await client.disconnect() }
        }
    }

    @Test("a second node refuses a speaker while another node runs the session's pipeline")
    func oneNodeRunsThePipeline() async throws {
        try await Self.withThreeNodes { nodes in
            let (a, b) = (nodes[0].server, nodes[1].server)
            let (speaker, sessionId, _) = try await a.speaker()
            let second = b.connect(["action": "refreshConnection", "sessionId": sessionId, "role": "speaker", "token": b.keys.speaker])
            let refusal = try await second.expectError("INTERNAL", timeout: .seconds(15))
            #expect(refusal["message"]?.stringValue?.contains("another node") == true)
            // The session goes on where it was.
            #expect(try await Self.speak(1, to: speaker) == [1])
            await speaker.disconnect()
        }
    }

    @Test("a glossary set on one node is used by the session's translations on another, and goes with the session")
    func glossaryAcrossNodes() async throws {
        try await Self.withThreeNodes { nodes in
            let (a, b, c) = (nodes[0].server, nodes[1].server, nodes[2].server)
            let (speaker, sessionId, _) = try await a.speaker()
            let listener = try await c.listener(sessionId, language: "es").client
            try await Self.awaitListenerCount(1, speaker: speaker)
            // The speaker's node translates once without a glossary (and remembers that).
            _ = try await Self.speak(1, to: speaker, heardBy: [(listener, "es")])

            let path = "/v1/sessions/\(sessionId)/glossary"
            let glossary: JSONValue = ["terms": [["source": "evening", "translations": ["es": "tarde"]]]]
            #expect(try await b.http(.PUT, path, key: b.keys.speaker, json: glossary).code == 200)
            #expect(try await c.http(.GET, path, key: c.keys.speaker).json == glossary)
            try await Task.sleep(for: GlossaryBook.freshness + .milliseconds(500))
            for frame in ToneFrames.utterance() { speaker.send(binary: frame) }
            let caption = try await listener.waitFor("transcript", timeout: .seconds(20)) { $0["isFinal"]?.boolValue == true }.message
            #expect(caption["text"]?.stringValue == "[es] Good tarde.")

            #expect(try await c.http(.DELETE, "/v1/sessions/\(sessionId)", key: c.keys.speaker).code < 300)
            #expect(try await RestartPersistenceTests.eventually { try await b.store.glossary(sessionId: sessionId) == nil })
        }
    }

    @Test("ending a session on one node ends it on every node")
    func endingReachesEveryNode() async throws {
        try await Self.withThreeNodes { nodes in
            let (a, c) = (nodes[0].server, nodes[2].server)
            let (speaker, sessionId, _) = try await a.speaker()
            let listener = try await c.listener(sessionId, language: "es").client
            try await Self.awaitListenerCount(1, speaker: speaker)
            let response = try await c.http(.DELETE, "/v1/sessions/\(sessionId)", key: c.keys.speaker)
            #expect(response.code == 200 || response.code == 204)
            try await speaker.waitFor("sessionEnded", timeout: .seconds(10))
            try await listener.waitFor("sessionEnded", timeout: .seconds(10))
        }
    }

    /// Two nodes relaying for one session commit their frames out of id order: a frame with a
    /// lower id committed after one with a higher id must still reach the other nodes.
    @Test("a frame committed after a later-numbered one from another node is still delivered")
    func framesCommittedOutOfIdOrder() async throws {
        try await Self.withThreeNodes { nodes in
            let (a, c) = (nodes[0].server, nodes[2].server)
            let (speaker, sessionId, _) = try await a.speaker()
            let listener = try await c.listener(sessionId, language: "es").client
            try await Self.awaitListenerCount(1, speaker: speaker)
            try await Self.withIntruder { database in
                let notice = ServerMessage.broadcastChange(.broadcastUnmuted, sessionId: sessionId, state: BroadcastState(isActive: true, lastStateChange: 1))
                    .encoded()
                // Another node's frame takes an id and commits only after node A's next frame.
                let id = try await database.client.withTransaction(logger: Logger(label: "intruder")) { connection in
                    let rows = try await connection.query(
                        """
                        INSERT INTO relayed_frames (origin_node, session_id, kind, language, sequence, payload)
                        VALUES ('node-other', \(sessionId), \(RelayedFrame.Audience.everyone.rawValue), '', 0, \(ByteBuffer(string: notice)))
                        RETURNING id
                        """, logger: Logger(label: "intruder"))
                    var id: Int64 = 0
                    for try await inserted in rows.decode(Int64.self) { id = inserted }
                    speaker.send(action: "muteBroadcast")
                    try await listener.waitFor("broadcastMuted", timeout: .seconds(10))
                    return id
                }
                try await database.client.query("SELECT pg_notify('dragoman', \("f node-other \(sessionId) \(id) \(id)"))", logger: Logger(label: "intruder"))
                try await listener.waitFor("broadcastUnmuted", timeout: .seconds(10))
            }
        }
    }

    /// Runs `body` with a connection pool of its own on the test database, as another program
    /// touching the cluster's tables and locks would.
    static func withIntruder(_ body: (PostgresStore) async throws -> Void) async throws {
        try await PostgresStore.withOpened(url: try #require(ClusterTestNode.databaseURL), logger: Logger(label: "intruder"), body)
    }

    /// The backends holding an advisory lock (a speaker lease) now.
    static func lockHolders(in database: PostgresStore) async throws -> [Int] {
        let rows = try await database.client.query("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted", logger: Logger(label: "locks"))
        var holders: [Int] = []
        for try await pid in rows.decode(Int.self) { holders.append(pid) }
        return holders
    }

    /// The connection holding the speaker's lease is killed (as a PostgreSQL restart, a proxy or
    /// `idle_session_timeout` would): the node takes the lease again, and the speaker goes on.
    @Test("a node whose lease connection is killed takes the lease again and the speaker goes on")
    func leaseConnectionKilled() async throws {
        try await Self.withThreeNodes { nodes in
            let (speaker, _, _) = try await nodes[0].server.speaker()
            _ = try await Self.speak(1, to: speaker)
            try await Self.withIntruder { database in
                let holders = try await Self.lockHolders(in: database)
                #expect(holders.count == 1)
                try await database.client.query("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'", logger: Logger(label: "intruder"))
                // Held again, by another connection.
                let retaken = try await RestartPersistenceTests.eventually(timeout: .seconds(10)) {
                    let now = try await Self.lockHolders(in: database)
                    return now.count == 1 && now != holders
                }
                #expect(retaken)
                _ = try await Self.speak(1, to: speaker)
                #expect(try await speaker.barrier().allSatisfy { $0.type != "connectionRefreshRequired" })
            }
        }
    }

    /// The lease connection dies and another holder takes the lock first: the node stops its
    /// pipeline and asks its speaker to reconnect rather than run the session beside it.
    @Test("a node that finds its lease taken by another stops and asks its speaker to reconnect")
    func leaseTakenWhileTheConnectionWasDown() async throws {
        try await Self.withThreeNodes { nodes in
            let (speaker, sessionId, _) = try await nodes[0].server.speaker()
            try await Self.withIntruder { database in
                let logger = Logger(label: "intruder")
                let key = PostgresCluster.lockKey(sessionId)
                // Another holder queues for the lock first, so it gets it the moment the node's
                // connection dies, before the node can take it again.
                let (release, releasing) = AsyncStream.makeStream(of: Void.self)
                let holder = Task {
                    try await database.client.withConnection { connection in
                        try await connection.query("SELECT pg_advisory_lock(\(key))", logger: logger)
                        for await _ in release {}
                        try await connection.query("SELECT pg_advisory_unlock(\(key))", logger: logger)
                    }
                }
                let queued = try await RestartPersistenceTests.eventually {
                    let rows = try await database.client.query(
                        "SELECT count(*)::bigint FROM pg_locks WHERE locktype = 'advisory' AND NOT granted", logger: logger)
                    for try await count in rows.decode(Int.self) { return count == 1 }
                    return false
                }
                #expect(queued)
                try await database.client.query("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted", logger: logger)
                let refresh = try await speaker.waitFor("connectionRefreshRequired", timeout: .seconds(10)).message
                #expect(refresh["reason"]?.stringValue == "leaseLost")
                releasing.finish()
                try await holder.value
                // Back on the same node, the speaker gets the lease and is heard again.
                let back = nodes[0].server.connect([
                    "action": "refreshConnection", "role": "speaker", "sessionId": sessionId, "token": nodes[0].server.keys.speaker,
                ])
                try await back.expect("connectionRefreshComplete")
                _ = try await Self.speak(1, to: back)
            }
        }
    }

    @Test("an operator on one node reads the lifecycle events of a session on another, live")
    func eventsReachEveryNode() async throws {
        try await Self.withThreeNodes { nodes in
            let (a, c) = (nodes[0].server, nodes[2].server)
            let earlier = try await a.createSession()
            let statuses = try await EventStreamTests.withEvents(c, key: c.keys.operator) { reader in
                // Replayed from the shared log; what follows is live.
                _ = try await EventStreamTests.events(of: earlier, count: 1, from: reader)
                let sessionId = try await a.createSession()
                let speaker = a.connect(["action": "createSession", "sourceLanguage": "en", "token": a.keys.speaker, "sessionId": sessionId])
                try await speaker.expect("sessionCreated")
                let events = try await EventStreamTests.events(of: sessionId, count: 2, from: reader)
                #expect(reader.comments.contains("live"))
                await speaker.disconnect()
                return events.compactMap { $0.json?["data"]?["status"]?.stringValue }
            }
            #expect(statuses == ["created", "active"])
        }
    }
}
