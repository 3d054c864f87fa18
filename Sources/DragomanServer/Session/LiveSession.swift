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
    private var graceTask: Task<Void, Never>?
    /// The speech pipeline, while the session has a speaker here.
    private var pipeline: PipelineLink?
    /// The speaker's own voice, to the listeners of the session's language.
    private var floorChannel: LiveVoiceChannel
    /// Names this run of the session's streams (`SessionState.epoch`).
    nonisolated let epoch: String
    /// The other nodes serving this session; `nil` on a single node.
    let cluster: (any SessionCluster)?
    /// Whether this node holds the speaker lease (runs the pipeline) in a cluster.
    private var holdsSpeakerLease = false
    /// Whether this node has held the speaker lease since it loaded the session.
    private var hadSpeakerHere = false
    /// Whether the last grace period that ran out here found the speaker lease free.
    private var speakerLeaseWasFree = false

    let settings: ServerConfiguration
    private let store: any DragomanStore
    private let events: EventBus
    private let engines: SpeechEngines
    private let onEnded: @Sendable (String) async -> Void
    let logger: Logger

    init(
        record: SessionRecord, settings: ServerConfiguration, store: any DragomanStore, events: EventBus, engines: SpeechEngines, logger: Logger,
        cluster: (any SessionCluster)? = nil, onEnded: @escaping @Sendable (String) async -> Void
    ) {
        self.cluster = cluster
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
            default: apply(action)
            }
        }
    }

    /// Carries out the actions that need no wait: every action but the lifecycle's.
    func apply(_ actions: [SessionAction]) {
        for action in actions { apply(action) }
    }

    private func apply(_ action: SessionAction) {
        switch action {
        case .lifecycle(let step):
            preconditionFailure("The lifecycle step \(step) waits: it goes through perform")
        case .reportListeners:
            cluster?.reportListeners(of: id, state.localTally)
        case .pushAudience:
            pipeline?.push(state.pipelineAudience)
        case .sendStatus(let reason):
            sendStatus(reason: reason)
        case .announceVoice(let language, let voice, let local, let newcomer):
            announceVoice(voice, of: language, local: local, skipping: newcomer)
        }
    }

    private func perform(_ step: SessionLifecycle.Action) async {
        switch step {
        case .publish(let transition):
            logger.info("Session status changed", metadata: ["status": "\(transition.status)", "reason": "\(transition.reason)"])
            do {
                try await store.updateSessionStatus(id: id, status: transition.status, at: Date())
            } catch {
                logger.error("Could not store the session status", metadata: ["error": "\(error)"])
            }
            await events.publish(transition, session: record)
        case .startGracePeriod:
            startGracePeriod()
            notifyListeners(
                ServerMessage(
                    type: "speakerDisconnected", sessionId: id,
                    fields: [
                        "broadcastState": state.broadcast.json, "gracePeriodSeconds": .double(settings.speakerGracePeriod),
                    ]))
        case .cancelGracePeriod:
            graceTask?.cancel()
            graceTask = nil
            notifyListeners(ServerMessage(type: "speakerReconnected", sessionId: id, fields: ["broadcastState": state.broadcast.json]))
        case .closeSession(let reason):
            graceTask?.cancel()
            graceTask = nil
            await flushPipeline()
            pipeline?.stop()
            pipeline = nil
            state.broadcastDidStop()
            let ended = ServerMessage(type: "sessionEnded", sessionId: id, fields: ["reason": .string(reason)]).encoded()
            relay(.sessionEnded, text: ended)
            await closeConnections(with: ended)
        }
    }

    private func startGracePeriod() {
        graceTask?.cancel()
        let seconds = settings.speakerGracePeriod
        graceTask = Task { [weak self] in
            try? await Task.sleep(for: .seconds(seconds))
            guard !Task.isCancelled else { return }
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
        if let pipeline {
            self.pipeline = nil
            await pipeline.drain(deadline: deadline)
        }
        let farewell = ServerMessage(
            type: "connectionRefreshRequired", sessionId: id,
            fields: [
                "message": "The server is restarting; connect again with refreshConnection.", "reason": "serverShutdown",
            ]
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

        /// The stream position and voice fields of a listener's first message.
        var languageFields: [String: JSONValue] {
            (stream?.fields ?? [:]).merging(voice?.fields ?? [:]) { first, _ in first }
        }
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

    func detachSpeaker(_ connection: ClientConnection) async {
        guard state.detachSpeaker(connection) else { return }
        // What the speaker said before the drop is still transcribed.
        await flushPipeline()
        // The speaker may have come back (a page reload) while the segment was finished: then it
        // never left. Asked again after every wait.
        guard state.speakerIsAway else { return }
        await releaseSpeakerLease()
        await perform(state.speakerDidLeave(now: UnixTime.now))
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

    /// The epoch and last sequence of a language's stream.
    func streamPosition(of language: LanguageCode) -> StreamPosition {
        state.streamPosition(of: language)
    }

    func removeListener(_ connection: ClientConnection) {
        apply(state.removeListener(connection))
    }

    /// Moves a listener to another language, from the next segment on; returns the previous one.
    func changeLanguage(of connection: ClientConnection, to language: LanguageCode) -> LanguageCode? {
        let (previous, actions) = state.changeLanguage(of: connection, to: language)
        apply(actions)
        return previous
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

    // MARK: Speech

    /// Starts the speech pipeline for a speaker here, unless it runs already.
    private func startPipelineIfNeeded() {
        guard pipeline == nil else { return }
        let speech = SessionPipeline(
            sessionId: id, sourceLanguage: record.sourceLanguage, engines: engines.forSession(id), store: store, settings: settings, logger: logger)
        var link = PipelineLink(running: speech, for: self)
        if !state.broadcast.isFlowing { link.send(.flowing(false)) }
        link.push(state.pipelineAudience)
        pipeline = link
    }

    /// Finishes the segment under way and waits until it is published.
    private func flushPipeline() async {
        guard pipeline != nil else { return }
        await withCheckedContinuation { waiter in
            if pipeline != nil { pipeline?.flush(waiter) } else { waiter.resume() }
        }
    }

    /// Publishes what the pipeline emitted; the caller queues the frames.
    func receive(_ output: PipelineOutput) -> Deliveries {
        switch output {
        case .caption(let caption, let language, let text):
            return publishCaption(caption, language: language, text: text)
        case .speech(let chunk):
            return publishAudio(chunk)
        case .failure(let stage, let error):
            reportEngineFailure(stage: stage, error: error)
        case .flushed(let token):
            pipeline?.didFlush(token)
        }
        return .none
    }

    /// A chunk of the speaker's voice: to the listeners of the session's own language as it is
    /// (floor audio), and into the pipeline. The caller queues the frames.
    func receiveSpeakerAudio(_ samples: [Int16], sampleRate: Int) -> Deliveries {
        let floor = relayFloorAudio(samples, sampleRate: sampleRate)
        pipeline?.send(.audio(samples, sampleRate: sampleRate))
        return floor
    }

    /// Sends a caption to the listeners of `language` (and, in the source language, to the
    /// speakers, as their own live captions), unless the broadcast is paused or muted.
    private func publishCaption(_ caption: Caption, language: LanguageCode, text: String) -> Deliveries {
        guard state.broadcast.isFlowing else { return .none }
        let started = ContinuousClock.now
        let sequence = state.takeSequence(language)
        let frame = caption.message(sessionId: id, language: language, text: text, sequence: sequence).encoded()
        if caption.isFinal { state.remember(final: frame, sequence: sequence, language: language) }
        var deliveries = Deliveries()
        deliveries.add(frame, to: state.listeners.listeners(of: language).keys)
        relay(.caption, language: language, sequence: sequence, text: frame)
        if language == record.sourceLanguage {
            deliveries.add(frame, to: state.speakers.union(state.booths.connections))
        }
        ServerMetrics.stageDuration(.fanout).recordElapsed(since: started)
        return deliveries
    }

    /// Sends a chunk of synthesized speech, already scaled to the speaker's volume, to the
    /// listeners of its language who are listening, unless the broadcast is paused or muted: as
    /// `audioData` PCM, or as one binary frame of `opusPackets` (the same chunk, encoded; `nil`
    /// when the segment is not encoded because no listener asked for Opus when it began).
    /// Both forms of a chunk take the same `sequence`.
    private func publishAudio(_ chunk: SpeechChunk) -> Deliveries {
        guard state.broadcast.isFlowing else { return .none }
        // Synthesized speech still being paced out stops when a person takes the language over.
        if chunk.voice == .machine, state.voice(of: chunk.language) != .machine { return .none }
        let started = ContinuousClock.now
        let sequence = state.takeSequence(chunk.language)
        var pcmListeners: [ClientConnection] = []
        var opusListeners: [ClientConnection] = []
        for (connection, slot) in state.listeners.listeners(of: chunk.language) where slot.wantsAudio {
            switch slot.audioFormat {
            case .pcm: pcmListeners.append(connection)
            case .opus: opusListeners.append(connection)
            }
        }
        let remote = state.remoteListeners[chunk.language] ?? ListenerTally()
        // Each form is encoded once, if anyone here or elsewhere wants it.
        let pcmFrame = pcmListeners.isEmpty && remote.pcmListeners == 0 ? nil : chunk.pcmMessage(sessionId: id, sequence: sequence).encoded()
        // `nil` when the segment was not encoded: no listener asked for Opus when it began.
        let opusFrame = opusListeners.isEmpty && remote.opusListeners == 0 ? nil : chunk.opusFrame(sequence: sequence)
        var deliveries = Deliveries()
        if let pcmFrame { deliveries.add(audio: .text(pcmFrame), to: pcmListeners) }
        if let opusFrame { deliveries.add(audio: .binary(opusFrame), to: opusListeners) }
        // The listeners of other nodes get the same frames through the cluster.
        if remote.pcmListeners > 0, let pcmFrame {
            relay(.pcmAudio, language: chunk.language, sequence: sequence, text: pcmFrame)
        }
        if remote.opusListeners > 0, let opusFrame {
            cluster?.relay(
                RelayedFrame(sessionId: id, audience: .opusAudio, language: chunk.language.rawValue, sequence: sequence, payload: Array(buffer: opusFrame)))
        }
        ServerMetrics.stageDuration(.fanout).recordElapsed(since: started)
        return deliveries
    }

    /// The speaker's own voice, relayed as it arrives to the listeners of the session's own
    /// language (floor audio): no recognition or synthesis on its way, one encoding per format for
    /// all of them, one chunk for each chunk the speaker sent.
    private func relayFloorAudio(_ samples: [Int16], sampleRate: Int) -> Deliveries {
        relayLiveVoice(samples, sampleRate: sampleRate, through: &floorChannel)
    }

    /// Sends a chunk of a person's voice to the listeners of the channel's language, here and on
    /// the other nodes, unless the broadcast is paused or muted or nobody there is listening.
    func relayLiveVoice(_ samples: [Int16], sampleRate: Int, through channel: inout LiveVoiceChannel) -> Deliveries {
        guard state.broadcast.isFlowing else { return .none }
        // This runs for every chunk a person sends: look, do not copy.
        let local = state.listeners.listeners(of: channel.language).values
        let remote = state.remoteListeners[channel.language] ?? ListenerTally()
        guard local.contains(where: \.wantsAudio) || remote.pcmListeners + remote.opusListeners > 0 else { return .none }
        let volume = state.broadcast.volume
        let scaled = volume == 1 ? samples : PCM.scaled(samples, by: volume)
        let wantsOpus = local.contains { $0.wantsAudio && $0.audioFormat == .opus } || remote.opusListeners > 0
        let (chunk, encodingError) = channel.chunk(scaled, sampleRate: sampleRate, encodeOpus: wantsOpus, bitrate: settings.opusBitrate)
        if let encodingError {
            logger.error("Could not encode a live voice", metadata: ["voice": "\(channel.voice)", "error": "\(encodingError)"])
        }
        return publishAudio(chunk)
    }

    /// An engine failed: the session goes on with the next segment; the speaker is told.
    func reportEngineFailure(stage: String, error: any Error) {
        logger.error("Engine failure", metadata: ["stage": "\(stage)", "error": "\(error)"])
        ServerMetrics.engineFailures(stage).increment()
        let message = ServerMessage.error(
            ProtocolError(.engineFailure, "The \(stage) engine failed; the session goes on with the next segment."), sessionId: id)
        for speaker in state.speakers { speaker.send(message) }
    }

    // MARK: Status

    /// The status now, as `sessionStatus` carries it.
    func statusMessage(reason: StatusUpdateReason) -> ServerMessage {
        var message = ServerMessage.sessionStatus(
            sessionId: id, distribution: state.wholeDistribution,
            sessionDuration: max(0, Int(Date().timeIntervalSince(record.createdAt))), state: state.broadcast, reason: reason)
        message.fields["voices"] = voicesOnAir
        return message
    }

    /// Sends a status to every speaker connection and remembers the count it carried.
    func sendStatus(reason: StatusUpdateReason) {
        guard !state.speakers.isEmpty else { return }
        let message = statusMessage(reason: reason).encoded()
        for speaker in state.speakers { speaker.send(text: message) }
        state.statusWasSent()
    }

    /// Answers one speaker's `getSessionStatus`.
    func requestedStatus() -> ServerMessage {
        state.statusWasSent()
        return statusMessage(reason: .requested)
    }

    // MARK: Cluster

    /// Takes the speaker lease in a cluster, so this node runs the pipeline; waits a little for a
    /// node that just lost its speaker (or died) to let it go. Always `true` on a single node.
    func takeSpeakerLease() async -> Bool {
        guard let cluster, !holdsSpeakerLease else { return true }
        for attempt in 0..<Self.leaseAttempts {
            if attempt > 0 { try? await Task.sleep(for: .milliseconds(250)) }
            if await cluster.acquireSpeakerLease(for: id) {
                holdsSpeakerLease = true
                hadSpeakerHere = true
                // A pipeline left from an earlier lease would count segments from where this node
                // last had them; a new one starts after the last one stored by any node.
                pipeline?.stop()
                pipeline = nil
                await cluster.refreshRemoteListeners(of: self)
                return true
            }
        }
        return false
    }

    /// How often `takeSpeakerLease` tries, a quarter of a second apart.
    private static let leaseAttempts = 20

    private func releaseSpeakerLease() async {
        guard holdsSpeakerLease else { return }
        holdsSpeakerLease = false
        await cluster?.releaseSpeakerLease(for: id)
    }

    /// Whether a grace period that ran out may end the session: always on a single node. In a
    /// cluster, never while another node has the speaker; a node the speaker left ends it, and one
    /// that never had the speaker only when the lease was free at two expiries in a row (the
    /// speaker's node died with it).
    private func speakerIsGoneFromCluster() async -> Bool {
        guard let cluster, !holdsSpeakerLease else { return true }
        guard await cluster.acquireSpeakerLease(for: id) else {
            speakerLeaseWasFree = false
            return false
        }
        await cluster.releaseSpeakerLease(for: id)
        defer { speakerLeaseWasFree = true }
        return hadSpeakerHere || speakerLeaseWasFree
    }

    /// Queues a frame just sent to this node's listeners for the listeners of the other nodes.
    func relay(_ audience: RelayedFrame.Audience, language: LanguageCode? = nil, sequence: Int = 0, text: String) {
        guard let cluster else { return }
        let wanted =
            switch audience {
            case .sessionEnded: true
            case .everyone: state.hasRemoteListeners(of: nil)
            case .voice, .revocation: true
            case .caption, .pcmAudio, .opusAudio: language.map { state.hasRemoteListeners(of: $0) } ?? false
            }
        guard wanted else { return }
        cluster.relay(RelayedFrame(sessionId: id, audience: audience, language: language?.rawValue ?? "", sequence: sequence, payload: Array(text.utf8)))
    }

    /// Hands a frame relayed by the node running the pipeline to this node's listeners it is for.
    func deliver(_ frame: RelayedFrame) async {
        let language = LanguageCode(frame.language)
        if let language, frame.sequence > 0 { state.noteRelayedSequence(frame.sequence, language: language) }
        let text = String(decoding: frame.payload, as: UTF8.self)
        switch frame.audience {
        case .everyone:
            for connection in state.listeners.connections { connection.send(text: text) }
        case .caption:
            guard let language else { return }
            // Kept here too, so a listener who reconnects to this node recovers what it missed.
            if text.contains(#""isFinal":true"#) { state.remember(final: text, sequence: frame.sequence, language: language) }
            for connection in state.listeners.listeners(of: language).keys { connection.send(text: text) }
        case .pcmAudio:
            guard let language else { return }
            for (connection, slot) in state.listeners.listeners(of: language) where slot.wantsAudio && slot.audioFormat == .pcm {
                connection.send(audio: .text(text))
            }
        case .opusAudio:
            guard let language else { return }
            let buffer = ClientConnection.Outbound.binary(ByteBuffer(bytes: frame.payload))
            for (connection, slot) in state.listeners.listeners(of: language) where slot.wantsAudio && slot.audioFormat == .opus {
                connection.send(audio: buffer)
            }
        case .voice:
            guard let language else { return }
            deliverRemoteVoice(text, language: language)
        case .revocation:
            closeInterpreterConnections(passID: text)
        case .sessionEnded:
            // Another node ended it and published the event; here it only closes.
            _ = state.end(.endedBySpeaker)
            graceTask?.cancel()
            pipeline?.stop()
            pipeline = nil
            await closeConnections(with: text)
        }
    }

    /// The listeners of the other nodes changed.
    func setRemoteListeners(_ tally: [LanguageCode: ListenerTally]) {
        apply(state.setRemoteListeners(tally))
    }

    /// Tells every connection here the session is over, closes them and forgets the session.
    private func closeConnections(with ended: String) async {
        for connection in state.everyConnection {
            connection.send(text: ended)
            connection.close(.normalClosure, reason: "session ended")
        }
        state.removeAllConnections()
        cluster?.reportListeners(of: id, [:])
        await releaseSpeakerLease()
        await onEnded(id)
    }
}

extension SessionState.StreamPosition {
    /// `epoch`, `sequence` and, for a listener who asked to resume, `recovered`.
    var fields: [String: JSONValue] {
        var fields: [String: JSONValue] = ["epoch": .string(epoch), "sequence": .int(sequence)]
        if let recovered { fields["recovered"] = .bool(recovered) }
        return fields
    }
}
