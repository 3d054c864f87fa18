import DragomanCore
import DragomanStore
import Foundation
import Logging
import ServiceLifecycle

/// The sessions that are not over, found by id; loads stored ones on demand. As a `Service` it
/// runs the sessions' pipelines, restores the sessions a restart interrupted and sends the
/// periodic `sessionStatus`.
public actor SessionRegistry: Service {
    /// What an id refers to.
    enum Lookup {
        case live(LiveSession)
        case ended(SessionRecord)
        case notFound
    }

    private var sessions: [String: LiveSession] = [:]
    private let settings: ServerConfiguration
    private let store: any DragomanStore
    private let writer: StoreWriter
    private let events: EventBus
    private let engines: SpeechEngines
    private let logger: Logger
    private let cluster: (any SessionCluster)?
    /// What the periodic status and the sessions' grace periods wait on.
    private let clock: any MonotonicClock
    /// Runs the sessions' pipelines, as children of this service's task group.
    private let pipelines = PipelineRunner()

    init(
        settings: ServerConfiguration, store: any DragomanStore, writer: StoreWriter, events: EventBus, engines: SpeechEngines, logger: Logger,
        cluster: (any SessionCluster)? = nil,
        clock: any MonotonicClock = .system
    ) {
        self.cluster = cluster
        self.clock = clock
        self.settings = settings
        self.store = store
        self.writer = writer
        self.events = events
        self.engines = engines
        self.logger = logger
    }

    /// The longest session title, in characters.
    static let maximumTitleLength = 200

    /// Stores a new session under a fresh id and announces it.
    /// - Throws: `INVALID_MESSAGE` for a title over `maximumTitleLength`, `RATE_LIMIT_EXCEEDED`
    ///   when the owner has `maxOpenSessionsPerKey` sessions open.
    func create(
        title: String, speakerName: String?, sourceLanguage: LanguageCode, targetLanguages: [LanguageCode], passcode: String?, owner: KeyRecord,
        qualityTier: String?
    ) async throws -> LiveSession {
        guard title.count <= Self.maximumTitleLength else {
            throw ProtocolError(.invalidMessage, "The title is limited to \(Self.maximumTitleLength) characters.", action: "createSession")
        }
        // Checked against the store, so it holds across nodes; two creates at the same moment may
        // both pass, which the limit tolerates (it bounds a key gone wild, not a quota to the unit).
        let limit = settings.maxOpenSessionsPerKey
        if limit > 0, try await store.sessions(ownedBy: owner.id, includeEnded: false).count >= limit {
            throw ProtocolError(.rateLimitExceeded, "This key has \(limit) sessions open already; end one first.", action: "createSession")
        }
        for _ in 0..<20 {
            let record = SessionRecord(
                id: SessionID.generate(), title: title, sourceLanguage: sourceLanguage, targetLanguages: targetLanguages,
                passcodeHash: passcode.map(Secrets.passcodeHash), ownerKeyID: owner.id, qualityTier: qualityTier, createdAt: Date(),
                speakerName: speakerName)
            do {
                try await store.insertSession(record)
            } catch StoreError.duplicateSessionID {
                continue
            }
            let session = makeLive(record)
            sessions[record.id] = session
            await session.announceCreation()
            return session
        }
        throw ProtocolError(.internal, "Could not find a free session id.")
    }

    /// Finds a session by id, loading it from the store if it is not in memory.
    func lookup(_ id: String) async throws -> Lookup {
        if let session = sessions[id] { return .live(session) }
        guard let record = try await store.session(id: id) else { return .notFound }
        if record.status == .ended { return .ended(record) }
        // Another lookup may have loaded it while this one waited for the store.
        if let session = sessions[id] { return .live(session) }
        let session = makeLive(record)
        sessions[id] = session
        await session.resumeAfterRestart()
        // Its first clients are told how many listen on the other nodes and who interprets there.
        await cluster?.refreshRemoteListeners(of: session)
        return .live(session)
    }

    private func makeLive(_ record: SessionRecord) -> LiveSession {
        ServerMetrics.liveSessions.increment()
        return LiveSession(
            record: record, settings: settings, store: store, writer: writer, events: events, engines: engines, logger: logger, pipelines: pipelines,
            cluster: cluster,
            clock: clock
        ) { [weak self] id in
            await self?.remove(id)
        }
    }

    private func remove(_ id: String) {
        guard sessions.removeValue(forKey: id) != nil else { return }
        ServerMetrics.liveSessions.decrement()
    }

    /// The session with this id if it is in memory here; never loads one.
    func inMemory(_ id: String) -> LiveSession? { sessions[id] }

    /// The sessions in memory here.
    var inMemorySessions: [LiveSession] { Array(sessions.values) }

    /// How often every node looks for sessions whose owner's key was revoked, in seconds.
    static let revocationCheckInterval = 5.0

    public func run() async throws {
        let (clock, interval, pipelines) = (clock, settings.statusInterval, pipelines)
        // The pipelines, the periodic status and the revocation check run until shutdown; a
        // graceful shutdown cuts the waits short, so the server stops at once rather than up to
        // one interval later. By then the farewell has drained the pipelines; what is left of
        // them is cancelled, and the group returns once they have returned.
        try await cancelWhenGracefulShutdown {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { await pipelines.run() }
                try await self.restoreInterruptedSessions()
                group.addTask {
                    while (try? await clock.sleep(until: clock.seconds + interval)) != nil { await self.sendPeriodicStatus() }
                }
                group.addTask {
                    while (try? await clock.sleep(until: clock.seconds + Self.revocationCheckInterval)) != nil { await self.closeRevokedOwners() }
                }
            }
        }
    }

    /// A key revoked (`dragoman keys revoke`, on any node) takes away its sessions' right to
    /// speak within `revocationCheckInterval`: each node closes the speakers of its sessions
    /// owned by a revoked key, which cannot connect again.
    private func closeRevokedOwners() async {
        guard !sessions.isEmpty else { return }
        do {
            let revoked = Set(try await store.keys().filter { $0.revokedAt != nil }.map(\.id))
            // Read after the wait: sessions may have come and gone meanwhile.
            for session in sessions.values where revoked.contains(session.record.ownerKeyID) {
                await session.ownerKeyWasRevoked()
            }
        } catch {
            logger.error("Could not read the keys to find revoked ones", metadata: ["error": "\(error)"])
        }
    }

    /// Finishes every session's segment under way and tells every client to reconnect (see
    /// `LiveSession.serverIsStopping`), all sessions at once.
    func farewell(deadline: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            for session in sessions.values {
                group.addTask { await session.serverIsStopping(deadline: deadline) }
            }
        }
    }

    private func sendPeriodicStatus() async {
        for session in sessions.values {
            await session.sendStatus(reason: .periodic)
        }
    }

    /// Sessions that had a speaker when the server stopped wait for it to come back, as if it had
    /// just dropped, and end after the grace period.
    private func restoreInterruptedSessions() async throws {
        for record in try await store.openSessions() where record.status != .created {
            _ = try await lookup(record.id)
        }
    }
}
