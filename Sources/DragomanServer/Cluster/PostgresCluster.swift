import DragomanCore
import DragomanStore
import Foundation
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Several nodes on one PostgreSQL, with PostgreSQL's own machinery: a session-level advisory
/// lock per session says which node runs its pipeline; relayed frames and listener counts are
/// rows; NOTIFY on one channel wakes the other nodes with ids only, far below its 8000-byte limit.
package actor PostgresCluster: SessionCluster {
    /// This node, as the tables and notifications name it.
    nonisolated let nodeId = "node-" + UUID().uuidString.prefix(8).lowercased()
    private let client: PostgresClient
    private let location: PostgresLocation
    private let heartbeat: Duration
    private let logger: Logger
    /// What this node has to share, in order; `wakeUps` tells the writer there is some.
    private let outbox = Mutex(RelayOutbox(capacity: PostgresCluster.outboxCapacity))
    private let wakeUps: AsyncStream<Void>
    private nonisolated let wakeUp: AsyncStream<Void>.Continuation
    /// The connection that holds this node's speaker leases: a session-level advisory lock
    /// belongs to the connection that took it and goes when it closes, as when the node dies.
    private var leaseConnection: PostgresConnection?
    /// The lease connection being opened: callers that come meanwhile wait for it rather than
    /// open another (a replaced connection would be dropped unclosed).
    private var openingLeaseConnection: Task<PostgresConnection, any Error>?
    private var leases: Set<String> = []
    /// The cluster service has stopped: no lease is taken any more (a session's timer may still fire).
    private var stopped = false
    /// The last relayed frame delivered here of each session from each other node. By node:
    /// one node writes its frames one statement after another, so its ids are committed in
    /// order; two nodes writing at once commit theirs out of id order, and one cursor for both
    /// would skip the lower id committed last.
    private var cursors: [FrameSource: Int64] = [:]
    /// Numbers the reads of the other nodes' listeners as they start.
    private var remoteReads: Int64 = 0
    /// The number of the read each session's remote listeners were last set from: a read that
    /// started earlier (a heartbeat's, overtaken by a notification's) is older news and is dropped.
    private var appliedRemoteReads: [String: Int64] = [:]

    package static let channel = "dragoman"
    /// A frame is kept this long for nodes that were briefly away.
    static let frameRetention = 60

    /// Most items waiting to be shared while PostgreSQL does not take them (`RelayOutbox`).
    static let outboxCapacity = 20_000
    /// How long the writer waits after a failed write before it tries again.
    static let retryDelay = Duration.seconds(1)

    /// A session's frames from one node.
    private struct FrameSource: Hashable {
        let sessionId: String
        let node: String
    }

    package init(store: PostgresStore, heartbeat: Double, logger: Logger) {
        client = store.client
        location = store.location
        self.heartbeat = .milliseconds(Int(max(heartbeat, 0.05) * 1000))
        var logger = logger
        logger[metadataKey: "node"] = "\(nodeId)"
        self.logger = logger
        (wakeUps, wakeUp) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Heartbeats missed before a node's listeners stop counting.
    private var expiry: Double { heartbeat.inSeconds * 3 }

    // MARK: Speaker leases

    func acquireSpeakerLease(for sessionId: String) async -> Bool {
        if leases.contains(sessionId) { return true }
        guard !stopped else { return false }
        do {
            let connection = try await openLeaseConnection()
            let rows = try await connection.query("SELECT pg_try_advisory_lock(\(Self.lockKey(sessionId)))", logger: logger)
            for try await granted in rows.decode(Bool.self) where granted {
                leases.insert(sessionId)
                return true
            }
        } catch {
            logger.error("Could not take a speaker lease", metadata: ["sessionId": "\(sessionId)", "error": "\(PostgresStore.describe(error))"])
            await dropLeaseConnection()
        }
        return false
    }

    func releaseSpeakerLease(for sessionId: String) async {
        guard leases.remove(sessionId) != nil, let leaseConnection else { return }
        do {
            try await leaseConnection.query("SELECT pg_advisory_unlock(\(Self.lockKey(sessionId)))", logger: logger)
        } catch {
            logger.error("Could not release a speaker lease", metadata: ["sessionId": "\(sessionId)", "error": "\(PostgresStore.describe(error))"])
            await dropLeaseConnection()
        }
    }

    private func openLeaseConnection() async throws -> PostgresConnection {
        if let leaseConnection, !leaseConnection.isClosed { return leaseConnection }
        if let openingLeaseConnection { return try await openingLeaseConnection.value }
        // A closed connection took its locks with it.
        leases.removeAll()
        let (location, logger) = (location, logger)
        let opening = Task { try await location.connect(logger: logger) }
        openingLeaseConnection = opening
        defer { openingLeaseConnection = nil }
        let connection = try await opening.value
        leaseConnection = connection
        return connection
    }

    private func dropLeaseConnection() async {
        leases.removeAll()
        // Forgotten before the wait, so a connection opened meanwhile is not the one forgotten.
        let dropped = leaseConnection
        leaseConnection = nil
        try? await dropped?.close()
    }

    /// Checks that the connection holding this node's leases is alive. A PostgreSQL restart, a
    /// proxy or `idle_session_timeout` closing it took its locks with it, and another node could
    /// take them: each lease is taken again at once on a new connection, and the sessions whose
    /// lease another node took meanwhile are told they lost it (they stop their pipeline and ask
    /// their speaker to reconnect), so two nodes never run one session's pipeline.
    private func verifyLeases(registry: SessionRegistry) async {
        guard !leases.isEmpty else { return }
        if let leaseConnection, !leaseConnection.isClosed,
            (try? await leaseConnection.query("SELECT 1", logger: logger)) != nil
        {
            return
        }
        let held = leases
        logger.warning("The connection holding the speaker leases is gone; taking them again", metadata: ["sessions": "\(held.count)"])
        await dropLeaseConnection()
        for sessionId in held {
            // Each wait may see a session let its lease go: asked again before and after taking it.
            guard let session = await registry.inMemory(sessionId), await session.holdsSpeakerLease else { continue }
            guard await acquireSpeakerLease(for: sessionId) else {
                logger.error("Another node took a speaker lease while this node's connection was gone", metadata: ["sessionId": "\(sessionId)"])
                await session.speakerLeaseWasLost()
                continue
            }
            if !(await session.holdsSpeakerLease) { await releaseSpeakerLease(for: sessionId) }
        }
    }

    /// The advisory lock of a session: a 64-bit FNV-1a hash of its id, the same on every node.
    package static func lockKey(_ sessionId: String) -> Int64 {
        Int64(bitPattern: FNV1a.hash(sessionId.utf8))
    }

    // MARK: Sending

    nonisolated func relay(_ frame: RelayedFrame) {
        send(.frame(frame))
    }

    nonisolated func reportListeners(of sessionId: String, _ tally: [LanguageCode: ListenerTally]) {
        send(.listeners(sessionId, tally))
    }

    nonisolated func announceEvent(_ sequence: Int64) {
        send(.event(sequence))
    }

    private nonisolated func send(_ item: RelayOutbox.Item) {
        outbox.withLock { $0.append(item) }
        wakeUp.yield()
    }

    /// Writes what was queued, in order. The frames queued meanwhile go in one statement, so a
    /// burst (a segment's speech, synthesized faster than real time) costs one round trip. What
    /// a failed write did not send goes back to the outbox and is tried again a second later.
    private func sendOutgoing() async {
        for await _ in wakeUps {
            let batch = outbox.withLock { $0.takeAll() }
            // Items before `sent` are written; frames from `sent` on wait to go in one statement.
            var sent = batch.startIndex
            do {
                for index in batch.indices {
                    switch batch[index] {
                    case .frame:
                        continue
                    case .listeners(let sessionId, let tally):
                        try await insert(frames(batch[sent..<index]))
                        sent = index
                        try await store(tally, of: sessionId)
                    case .event(let sequence):
                        try await insert(frames(batch[sent..<index]))
                        sent = index
                        try await client.query("SELECT pg_notify(\(Self.channel), \("e \(nodeId) \(sequence)"))", logger: logger)
                    }
                    sent = index + 1
                }
                try await insert(frames(batch[sent...]))
            } catch {
                let dropped = outbox.withLock { outbox in
                    outbox.putBack(batch[sent...])
                    return outbox.dropped
                }
                logger.error(
                    "Could not share with the other nodes; trying again", metadata: ["error": "\(PostgresStore.describe(error))", "dropped": "\(dropped)"])
                try? await Task.sleep(for: Self.retryDelay)
                wakeUp.yield()
            }
        }
    }

    private func frames(_ items: ArraySlice<RelayOutbox.Item>) -> [RelayedFrame] {
        items.compactMap { item in
            if case .frame(let frame) = item { return frame }
            return nil
        }
    }

    /// Stores frames and wakes the other nodes with one NOTIFY per session, carrying the range of
    /// its new ids (`f NODE SESSION FIRST LAST`).
    package func insert(_ frames: [RelayedFrame]) async throws {
        guard !frames.isEmpty else { return }
        try await client.query(
            """
            WITH inserted AS (
                INSERT INTO relayed_frames (origin_node, session_id, kind, language, sequence, payload, is_final, interpreter_id, interpreter_name)
                SELECT \(nodeId), f_session, f_kind, f_language, f_sequence, f_payload, f_final, NULLIF(f_interpreter, ''), NULLIF(f_name, '') FROM unnest(
                    \(frames.map(\.sessionId))::text[], \(frames.map(\.audience.rawValue))::int2[], \(frames.map(\.language))::text[],
                    \(frames.map(\.sequence))::int8[], \(frames.map { ByteBuffer(bytes: $0.payload) })::bytea[], \(frames.map(\.isFinal))::bool[],
                    \(frames.map { $0.interpreter?.id ?? "" })::text[], \(frames.map { $0.interpreter?.name ?? "" })::text[]
                ) AS frame (f_session, f_kind, f_language, f_sequence, f_payload, f_final, f_interpreter, f_name)
                RETURNING id, session_id)
            SELECT pg_notify(\(Self.channel), 'f ' || \(nodeId) || ' ' || session_id || ' ' || min(id) || ' ' || max(id))
            FROM inserted GROUP BY session_id
            """, logger: logger)
    }

    private func store(_ tally: [LanguageCode: ListenerTally], of sessionId: String) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("DELETE FROM node_listeners WHERE node_id = \(nodeId) AND session_id = \(sessionId)", logger: logger)
            for (language, count) in tally where count.listeners > 0 || !count.interpretersOnAir.isEmpty {
                let interpreter = count.interpretersOnAir.first
                try await connection.query(
                    """
                    INSERT INTO node_listeners
                        (node_id, session_id, language, listeners, pcm_listeners, opus_listeners, interpreter_id, interpreter_name)
                    VALUES (\(nodeId), \(sessionId), \(language.rawValue), \(count.listeners), \(count.pcmListeners), \(count.opusListeners),
                        \(interpreter?.id), \(interpreter?.name))
                    """, logger: logger)
            }
            try await connection.query("SELECT pg_notify(\(Self.channel), \("l \(nodeId) \(sessionId)"))", logger: logger)
        }
    }

    // MARK: Receiving

    func refreshRemoteListeners(of session: LiveSession) async {
        do {
            try await refreshRemoteListeners(of: [session])
        } catch {
            logger.error("Could not read the other nodes' listeners", metadata: ["error": "\(PostgresStore.describe(error))"])
        }
    }

    /// Reads the listeners of `sessions` on the other live nodes and hands each session its own,
    /// unless a read that started later got there first.
    private func refreshRemoteListeners(of sessions: [LiveSession]) async throws {
        remoteReads += 1
        let read = remoteReads
        let tallies = try await remoteListeners(sessionIds: sessions.map(\.id))
        for session in sessions where read > appliedRemoteReads[session.id, default: 0] {
            appliedRemoteReads[session.id] = read
            await session.setRemoteListeners(tallies[session.id] ?? [:])
        }
    }

    /// The listeners on other nodes whose heartbeat is recent, and their interpreters on the air,
    /// by session and language.
    private func remoteListeners(sessionIds: [String]) async throws -> [String: [LanguageCode: ListenerTally]] {
        var tallies: [String: [LanguageCode: ListenerTally]] = [:]
        let rows = try await client.query(
            """
            SELECT session_id, language, listeners::bigint, pcm_listeners::bigint, opus_listeners::bigint, interpreter_id, interpreter_name
            FROM node_listeners
            WHERE session_id = ANY(\(sessionIds)) AND node_id <> \(nodeId) AND seen_at > now() - make_interval(secs => \(expiry))
            ORDER BY interpreter_id
            """, logger: logger)
        for try await (sessionId, code, listeners, pcm, opus, interpreterID, interpreterName)
            in rows.decode((String, String, Int, Int, Int, String?, String?).self)
        {
            guard let language = LanguageCode(code) else { continue }
            var tally = tallies[sessionId, default: [:]][language, default: ListenerTally()]
            tally.listeners += listeners
            tally.pcmListeners += pcm
            tally.opusListeners += opus
            if let interpreterID, let interpreterName {
                tally.interpretersOnAir.append(
                    InterpreterPass(id: interpreterID, sessionId: sessionId, language: language, name: interpreterName, createdAt: .distantPast))
            }
            tallies[sessionId, default: [:]][language] = tally
        }
        return tallies
    }

    /// Delivers the frames of `sessionId` from `node` after the last one delivered here (from the
    /// first one notified, for a session new here), oldest first.
    private func deliverFrames(of sessionId: String, from node: String, notified: ClosedRange<Int64>, to session: LiveSession) async throws {
        let source = FrameSource(sessionId: sessionId, node: node)
        let after = cursors[source] ?? notified.lowerBound - 1
        guard notified.upperBound > after else { return }
        let rows = try await client.query(
            """
            SELECT id, kind, language, sequence, payload, is_final, interpreter_id, interpreter_name FROM relayed_frames
            WHERE session_id = \(sessionId) AND origin_node = \(node) AND id > \(after) ORDER BY id
            """, logger: logger)
        var last = after
        let columns = (Int64, Int16, String, Int, ByteBuffer, Bool, String?, String?).self
        for try await (id, kind, language, sequence, payload, isFinal, interpreterId, interpreterName) in rows.decode(columns) {
            last = id
            guard let audience = RelayedFrame.Audience(rawValue: kind) else { continue }
            var interpreter: InterpreterPass?
            if let interpreterId, let interpreterName, let code = LanguageCode(language) {
                interpreter = InterpreterPass(id: interpreterId, sessionId: sessionId, language: code, name: interpreterName, createdAt: .distantPast)
            }
            await session.deliver(
                RelayedFrame(
                    sessionId: sessionId, audience: audience, language: language, sequence: sequence, payload: Array(buffer: payload), isFinal: isFinal,
                    interpreter: interpreter))
        }
        // Read again: another notification's delivery may have moved it on during the awaits.
        cursors[source] = max(cursors[source] ?? last, last, notified.upperBound)
    }

    /// Acts on one notification of another node.
    private func handle(_ payload: String, registry: SessionRegistry, events: EventBus) async {
        let parts = payload.split(separator: " ").map(String.init)
        guard parts.count >= 3, parts[1] != nodeId else { return }
        if parts[0] == "e", let sequence = Int64(parts[2]) {
            return await events.catchUp(through: sequence)
        }
        guard let session = await registry.inMemory(parts[2]) else { return }
        do {
            switch parts[0] {
            case "f":
                guard parts.count == 5, let first = Int64(parts[3]), let last = Int64(parts[4]), first <= last else { return }
                try await deliverFrames(of: parts[2], from: parts[1], notified: first...last, to: session)
            case "l":
                try await refreshRemoteListeners(of: [session])
            default:
                return
            }
        } catch {
            logger.error("Could not read what another node shared", metadata: ["notification": "\(payload)", "error": "\(PostgresStore.describe(error))"])
        }
    }

    /// LISTENs on a connection of its own; reconnects after a failure, and the cursors make the
    /// next notification fetch what was missed meanwhile (up to `frameRetention`).
    private func listen(registry: SessionRegistry, events: EventBus) async {
        while !Task.isCancelled {
            do {
                let connection = try await location.connect(logger: logger)
                defer { Task { try? await connection.close() } }
                try await connection.listen(on: Self.channel) { notifications in
                    for try await notification in notifications {
                        await handle(notification.payload, registry: registry, events: events)
                    }
                }
            } catch {
                guard !Task.isCancelled else { return }
                logger.error("Lost the notification connection; reconnecting", metadata: ["error": "\(PostgresStore.describe(error))"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Every heartbeat: marks this node's listener counts alive, forgets expired ones and old
    /// frames, and refreshes the remote counts of every session in memory (so a dead node's
    /// listeners and interpreters stop counting).
    private func beat(registry: SessionRegistry) async {
        while !Task.isCancelled {
            do {
                await verifyLeases(registry: registry)
                try await client.query("UPDATE node_listeners SET seen_at = now() WHERE node_id = \(nodeId)", logger: logger)
                try await client.query(
                    "DELETE FROM node_listeners WHERE seen_at < now() - make_interval(secs => \(expiry * 10))", logger: logger)
                try await client.query(
                    "DELETE FROM relayed_frames WHERE created_at < now() - make_interval(secs => \(Self.frameRetention))", logger: logger)
                let sessions = await registry.inMemorySessions
                let ids = Set(sessions.map(\.id))
                appliedRemoteReads = appliedRemoteReads.filter { ids.contains($0.key) }
                try await refreshRemoteListeners(of: sessions)
            } catch {
                logger.error("Cluster heartbeat failed", metadata: ["error": "\(PostgresStore.describe(error))"])
            }
            try? await Task.sleep(for: heartbeat)
        }
    }

    func run(delivering registry: SessionRegistry, events: EventBus) async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.sendOutgoing() }
                group.addTask { await self.listen(registry: registry, events: events) }
                group.addTask { await self.beat(registry: registry) }
            }
        }
        // A node that stops on purpose leaves at once; one that dies is counted out by expiry.
        stopped = true
        _ = try? await client.query("DELETE FROM node_listeners WHERE node_id = \(nodeId)", logger: logger)
        await dropLeaseConnection()
    }
}
