import DragomanCore
import DragomanSpeech
import DragomanStore
import Foundation
import Logging
import Metrics
import NIOCore

/// A session that is not over, in memory: its connections, broadcast state and lifecycle.
/// Every change to a session goes through this actor, so it is seen in one order by everyone.
/// What the session knows and decides is its `SessionState`; the actor feeds it inputs and carries
/// out the actions they return (store, events, timers, the pipeline, sockets, the cluster).
actor LiveSession {
    nonisolated let record: SessionRecord
    nonisolated var id: String { record.id }

    /// What the session knows: lifecycle, broadcast, connections, voices, streams.
    var state: SessionState
    /// The voice of each interpreter on the air here, to its language's listeners.
    var interpreterChannels: [LanguageCode: LiveVoiceChannel] = [:]
    var graceTask: Task<Void, Never>?
    /// The speech pipeline, while the session has a speaker here.
    var pipeline: PipelineLink?
    /// Runs the pipeline, as a child of the registry's task group.
    let pipelines: PipelineRunner
    /// The speaker's own voice, to the listeners of the session's language.
    var floorChannel: LiveVoiceChannel
    /// Names this run of the session's streams (`SessionState.epoch`).
    nonisolated let epoch: String
    /// The other nodes serving this session; `nil` on a single node.
    let cluster: (any SessionCluster)?
    /// When the speakers were last told the store refuses the transcript (`clock`).
    var storageTroubleToldAt: Double?
    /// Whether this node holds the speaker lease (runs the pipeline) in a cluster.
    var holdsSpeakerLease = false
    /// Whether this node has held the speaker lease since it loaded the session.
    var hadSpeakerHere = false
    /// Whether the last grace period that ran out here found the speaker lease free.
    var speakerLeaseWasFree = false

    let settings: ServerConfiguration
    let store: any DragomanStore
    /// Writes what must be kept (the status, the transcript), holding it while the store refuses.
    let writer: StoreWriter
    private let events: EventBus
    let engines: SpeechEngines
    let onEnded: @Sendable (String) async -> Void
    let logger: Logger
    /// What the grace period waits on, and the time the storage warning is throttled by.
    let clock: any MonotonicClock

    init(
        record: SessionRecord, settings: ServerConfiguration, store: any DragomanStore, writer: StoreWriter, events: EventBus, engines: SpeechEngines,
        logger: Logger, pipelines: PipelineRunner,
        cluster: (any SessionCluster)? = nil, clock: any MonotonicClock = .system, onEnded: @escaping @Sendable (String) async -> Void
    ) {
        self.pipelines = pipelines
        self.cluster = cluster
        self.clock = clock
        self.record = record
        let epoch = String(UInt32.random(in: .min ... .max), radix: 16)
        self.epoch = epoch
        self.state = SessionState(
            record: record, epoch: epoch,
            limits: .init(
                maxListeners: settings.maxListenersPerSession, recoveryHistory: settings.recoveryHistory,
                statusChangeThreshold: settings.statusChangeThreshold))
        self.floorChannel = LiveVoiceChannel(language: record.sourceLanguage, voice: .floor)
        self.settings = settings
        self.store = store
        self.writer = writer
        self.events = events
        self.engines = engines
        self.onEnded = onEnded
        var logger = logger
        logger[metadataKey: "sessionId"] = "\(record.id)"
        self.logger = logger
    }

    var status: SessionStatus { state.status }

    // MARK: Lifecycle

    /// Publishes the `created` event of a session just stored.
    func announceCreation() async {
        await perform(SessionLifecycle.creationActions.map(SessionAction.lifecycle))
    }

    /// Starts the reconnect wait for a session restored without its speaker.
    func resumeAfterRestart() async {
        if state.lifecycle.needsGracePeriod { startGracePeriod() }
    }

    /// Ends the session for good.
    func end(_ reason: SessionLifecycle.EndReason) async {
        await perform(state.end(reason))
    }

    /// Carries out what the state decided, in order.
    func perform(_ actions: [SessionAction]) async {
        for action in actions {
            switch action {
            case .lifecycle(let step): await perform(step)
            case .closeEnded(let frame): await closeEnded(with: frame)
            default: apply(action)
            }
        }
    }

    /// Carries out the actions that need no wait: every action but the lifecycle's and the close.
    func apply(_ actions: [SessionAction]) {
        for action in actions { apply(action) }
    }

    private func apply(_ action: SessionAction) {
        switch action {
        case .lifecycle, .closeEnded:
            preconditionFailure("\(action) waits: it goes through perform")
        case .reportListeners:
            cluster?.reportListeners(of: id, state.localTally)
        case .pushAudience:
            pipeline?.push(state.pipelineAudience)
        case .sendStatus(let reason):
            sendStatus(reason: reason)
        case .announceVoice(let language, let voice, let local, let newcomer):
            announceVoice(voice, of: language, local: local, skipping: newcomer)
        case .deliver(let text, let connections):
            for connection in connections { connection.send(text: text) }
        case .deliverAudio(let frame, let connections):
            for connection in connections { connection.send(audio: frame) }
        case .closeRevokedInterpreter(let passID):
            closeInterpreterConnections(passID: passID)
        }
    }

    private func perform(_ step: SessionLifecycle.Action) async {
        switch step {
        case .publish(let transition):
            logger.info("Session status changed", metadata: ["status": "\(transition.status)", "reason": "\(transition.reason)"])
            let (id, now) = (id, Date())
            _ = await writer.write("status of session \(id)") { try await $0.updateSessionStatus(id: id, status: transition.status, at: now) }
            await events.publish(transition, session: record)
        case .startGracePeriod:
            startGracePeriod()
            notifyListeners(
                ServerMessage(
                    .speakerDisconnected(SpeakerDisconnected(broadcastState: state.broadcast, gracePeriodSeconds: settings.speakerGracePeriod)),
                    sessionId: id))
        case .cancelGracePeriod:
            graceTask?.cancel()
            graceTask = nil
            notifyListeners(ServerMessage(.speakerReconnected(BroadcastNotice(broadcastState: state.broadcast)), sessionId: id))
        case .closeSession(let reason):
            graceTask?.cancel()
            graceTask = nil
            await flushPipeline()
            pipeline?.stop()
            pipeline = nil
            state.broadcastDidStop()
            let ended = ServerMessage(.sessionEnded(SessionEnded(reason: reason)), sessionId: id).encoded()
            relay(.sessionEnded, text: ended)
            await closeConnections(with: ended)
        }
    }

    private func startGracePeriod() {
        graceTask?.cancel()
        // The deadline is read now, not when the task first runs: the wait is from the moment
        // the speaker left.
        let (clock, deadline) = (clock, clock.seconds + settings.speakerGracePeriod)
        graceTask = Task { [weak self] in
            guard (try? await clock.sleep(until: deadline)) != nil else { return }
            await self?.gracePeriodDidExpire()
        }
    }

    private func gracePeriodDidExpire() async {
        guard await speakerIsGoneFromCluster() else { return startGracePeriod() }
        await perform(state.gracePeriodDidExpire())
    }

    /// The server is stopping: the segment under way is finished (recognized, translated, stored
    /// and published) within `deadline`, then every client is asked to reconnect
    /// (`connectionRefreshRequired`) and closed with 1001, going away. The session itself goes on:
    /// it is restored when the server starts again, or taken over by another node.
    func serverIsStopping(deadline: Duration) async {
        if var link = pipeline {
            // Taken out first, so nothing else feeds a pipeline that is draining; whoever waits
            // for a flush of it is let go when the drain is over.
            pipeline = nil
            await link.drain(deadline: deadline)
        }
        let farewell = ServerMessage(
            .connectionRefreshRequired(
                ConnectionRefreshRequired(message: "The server is restarting; connect again with refreshConnection.", reason: "serverShutdown")),
            sessionId: id
        ).encoded()
        for connection in state.everyConnection {
            connection.send(text: farewell)
            connection.close(.goingAway, reason: "server shutting down")
        }
    }

    // MARK: Speakers

    typealias StreamPosition = SessionState.StreamPosition
    typealias ResumePoint = SessionState.ResumePoint
    typealias BroadcastChange = SessionState.BroadcastChange

    /// What a connection's first message reports.
    struct Snapshot: Sendable {
        var status: SessionStatus
        var broadcastState: BroadcastState
        /// A listener's place in its language's stream.
        var stream: StreamPosition?
        /// Whose voice a listener's or an interpreter's language has now.
        var voice: LanguageVoice?
    }

    /// Where a connection stands now, as its first message reports it, and a listener's language.
    func snapshot(of connection: ClientConnection) -> (Snapshot, language: LanguageCode?) {
        let language = state.listeners[connection]?.language
        let snapshot = Snapshot(
            status: state.status, broadcastState: state.broadcast, stream: language.map { state.streamPosition(of: $0) },
            voice: language.map { state.voice(of: $0) })
        return (snapshot, language)
    }

    /// Attaches a speaker connection and queues its first message, made by `greeting` from the
    /// state it joins, before any other message can reach it. `nil` when the session has ended.
    func attachSpeaker(_ connection: ClientConnection, greeting: @Sendable (Snapshot) -> ServerMessage) async -> ServerMessage? {
        guard let actions = state.attachSpeaker(connection, now: UnixTime.now) else { return nil }
        let message = greeting(Snapshot(status: state.status, broadcastState: state.broadcast))
        connection.send(message)
        startPipelineIfNeeded()
        await perform(actions)
        return message
    }

    func detachSpeaker(_ connection: ClientConnection, endingSession: Bool) async {
        guard state.detachSpeaker(connection) else { return }
        // The last speaker connection of the replaced design's dialect, closed normally: what its
        // speakers mean by ending the session, so no reconnect wait (docs/protocol.md).
        if endingSession { return await end(.endedBySpeaker) }
        // Listeners are told at once: finishing the segment under way can take seconds when the
        // recognizer is behind on queued speech, and they should not hear of the drop that late.
        await perform(state.speakerDidLeave(now: UnixTime.now))
        // What the speaker said before the drop is still transcribed, before another node may
        // take the speaker over.
        await flushPipeline()
        // The speaker may have come back (a page reload) meanwhile: then this node keeps it.
        guard state.speakerIsAway else { return }
        await releaseSpeakerLease()
    }

    /// The key that owns the session was revoked: its speakers lose the right to speak now (they
    /// are told and closed; the key cannot connect again), and the session then ends as any
    /// session whose speaker does not come back.
    func ownerKeyWasRevoked() {
        for speaker in state.speakers {
            speaker.send(.error(ProtocolError(.unauthorized, "The speaker key of this session was revoked."), sessionId: id))
            speaker.close(.policyViolation, reason: "key revoked")
        }
    }

    /// Applies a speaker's change and tells the speakers and every listener.
    func apply(_ change: BroadcastChange) async {
        let (type, actions) = state.apply(change, now: UnixTime.now)
        await perform(actions)
        pipeline?.send(.flowing(state.broadcast.isFlowing))
        let message = ServerMessage.broadcastChange(type, sessionId: id, state: state.broadcast).encoded()
        for speaker in state.speakers { speaker.send(text: message) }
        notifyListeners(encoded: message)
    }

    // MARK: Listeners

    /// Admits a listener. One that gives where it left off (`resume`) first gets the final
    /// captions it missed, when they are still held.
    /// - Throws: `ProtocolError` when the session is full or has ended.
    /// Like `attachSpeaker`, the first message is queued before anything else can reach it.
    func addListener(
        _ connection: ClientConnection, language: LanguageCode, captionsOnly: Bool, audioFormat: ListenerAudioFormat, resume: ResumePoint?,
        greeting: @Sendable (Snapshot) -> ServerMessage
    ) throws(ProtocolError) -> ServerMessage {
        let slot = ListenerIndex.Slot(language: language, captionsOnly: captionsOnly, audioFormat: audioFormat)
        let (admission, actions) = try state.addListener(connection, slot, resume: resume)
        let message = greeting(
            Snapshot(status: state.status, broadcastState: state.broadcast, stream: admission.position, voice: state.voice(of: language)))
        connection.send(message)
        for frame in admission.missed ?? [] { connection.send(text: frame) }
        apply(actions)
        return message
    }

    func removeListener(_ connection: ClientConnection) {
        apply(state.removeListener(connection))
    }

    /// Moves a listener to another language, from the next segment on, and queues its
    /// `languageChanged` in the same turn, before any frame of the new language can reach it (and
    /// with the stream position and voice of that moment, not of some await later).
    func changeLanguage(of connection: ClientConnection, to language: LanguageCode) {
        let (previous, actions) = state.changeLanguage(of: connection, to: language)
        let changed = LanguageChanged(
            targetLanguage: language, previousLanguage: previous, stream: state.streamPosition(of: language), voice: state.voice(of: language).onAir)
        connection.send(ServerMessage(.languageChanged(changed), sessionId: id))
        apply(actions)
    }

    func setPlaybackPaused(_ paused: Bool, for connection: ClientConnection) {
        apply(state.setPlaybackPaused(paused, for: connection))
    }

    private func notifyListeners(_ message: ServerMessage) {
        notifyListeners(encoded: message.encoded())
    }

    /// Sends one encoded frame to every listener and interpreter: encoded once, whatever the audience.
    private func notifyListeners(encoded text: String) {
        for connection in state.listeners.connections { connection.send(text: text) }
        for connection in state.booths.connections { connection.send(text: text) }
        relay(.everyone, text: text)
    }
}
