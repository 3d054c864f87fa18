import DragomanCore
import DragomanSpeech
import DragomanStore
import Foundation
import Logging
import Metrics
import NIOCore

/// A session that is not over, in memory: its connections, broadcast state and lifecycle.
/// Every change to a session goes through this actor, so it is seen in one order by everyone.
actor LiveSession {
    nonisolated let record: SessionRecord
    nonisolated var id: String { record.id }

    private var lifecycle: SessionLifecycle
    var broadcast: BroadcastState
    var speakers: Set<ClientConnection> = []
    var listeners = ListenerIndex()
    /// The interpreters connected here, by language.
    var booths = InterpreterBooths()
    /// The voice of each interpreter on the air here, to its language's listeners.
    var interpreterChannels: [LanguageCode: LiveVoiceChannel] = [:]
    /// The interpreters on the air on other nodes, by language.
    var remoteVoices: [LanguageCode: InterpreterPass] = [:]
    private var distribution: [LanguageCode: Int] = [:]
    private var statusPolicy: StatusUpdatePolicy
    private var graceTask: Task<Void, Never>?
    /// The speech pipeline, while the session has a speaker here.
    private var pipeline: PipelineLink?
    /// Next `sequence` of each language's stream of captions and audio.
    private var nextSequence: [LanguageCode: Int] = [:]
    /// The last final captions of each language, for listeners who reconnect.
    private var histories: [LanguageCode: LanguageHistory] = [:]
    /// The speaker's own voice, to the listeners of the session's language.
    private var floorChannel: LiveVoiceChannel
    /// Names this run of the session's streams: sequences start again at 1 when the session is
    /// restored after a restart, so a position from before is not mistaken for one of now.
    nonisolated let epoch = String(UInt32.random(in: .min ... .max), radix: 16)
    /// The other nodes serving this session; `nil` on a single node.
    let cluster: (any SessionCluster)?
    /// The listeners of the other nodes, by language.
    private(set) var remoteListeners: [LanguageCode: ListenerTally] = [:]
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
        self.lifecycle = SessionLifecycle(restoring: record.status)
        self.floorChannel = LiveVoiceChannel(language: record.sourceLanguage, voice: .floor)
        self.broadcast = BroadcastState(lastStateChange: Int(record.updatedAt.timeIntervalSince1970))
        self.statusPolicy = StatusUpdatePolicy(changeThreshold: settings.statusChangeThreshold)
        self.settings = settings
        self.store = store
        self.events = events
        self.engines = engines
        self.onEnded = onEnded
        var logger = logger
        logger[metadataKey: "sessionId"] = "\(record.id)"
        self.logger = logger
    }

    var status: SessionStatus { lifecycle.status }

    // MARK: Lifecycle

    /// Publishes the `created` event of a session just stored.
    func announceCreation() async {
        await perform(SessionLifecycle.creationActions)
    }

    /// Starts the reconnect wait for a session restored without its speaker.
    func resumeAfterRestart() async {
        if lifecycle.needsGracePeriod { startGracePeriod() }
    }

    /// Ends the session for good.
    func end(_ reason: SessionLifecycle.EndReason) async {
        await perform(lifecycle.end(reason))
    }

    private func perform(_ actions: [SessionLifecycle.Action]) async {
        for action in actions {
            switch action {
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
                        .speakerDisconnected(SpeakerDisconnected(broadcastState: broadcast, gracePeriodSeconds: settings.speakerGracePeriod)),
                        sessionId: id))
            case .cancelGracePeriod:
                graceTask?.cancel()
                graceTask = nil
                notifyListeners(ServerMessage(.speakerReconnected(BroadcastNotice(broadcastState: broadcast)), sessionId: id))
            case .closeSession(let reason):
                graceTask?.cancel()
                graceTask = nil
                await flushPipeline()
                pipeline?.stop()
                pipeline = nil
                broadcast.isActive = false
                let ended = ServerMessage(.sessionEnded(SessionEnded(reason: reason)), sessionId: id).encoded()
                relay(.sessionEnded, text: ended)
                await closeConnections(with: ended)
            }
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
        await perform(lifecycle.gracePeriodDidExpire())
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
            .connectionRefreshRequired(
                ConnectionRefreshRequired(message: "The server is restarting; connect again with refreshConnection.", reason: "serverShutdown")),
            sessionId: id
        ).encoded()
        for connection in everyConnection {
            connection.send(text: farewell)
            connection.close(.goingAway, reason: "server shutting down")
        }
    }

    // MARK: Speakers

    /// What a connection's first message reports.
    struct Snapshot: Sendable {
        var status: SessionStatus
        var broadcastState: BroadcastState
        /// A listener's place in its language's stream.
        var stream: StreamPosition?
        /// Whose voice a listener's or an interpreter's language has now.
        var voice: LanguageVoice?

    }

    /// A listener's last position, from its connect (`epoch`, `since`).
    struct ResumePoint: Sendable {
        var epoch: String
        var sequence: Int
    }

    /// Attaches a speaker connection and queues its first message, made by `greeting` from the
    /// state it joins, before any other message can reach it. `nil` when the session has ended.
    func attachSpeaker(_ connection: ClientConnection, greeting: @Sendable (Snapshot) -> ServerMessage) async -> ServerMessage? {
        guard lifecycle.acceptsSpeaker else { return nil }
        markBroadcastChange { $0.isActive = true }
        let actions = lifecycle.speakerDidConnect()
        let message = greeting(Snapshot(status: lifecycle.status, broadcastState: broadcast))
        connection.send(message)
        speakers.insert(connection)
        startPipelineIfNeeded()
        await perform(actions)
        return message
    }

    func detachSpeaker(_ connection: ClientConnection) async {
        guard speakers.remove(connection) != nil, speakers.isEmpty, lifecycle.status != .ended else { return }
        // What the speaker said before the drop is still transcribed.
        await flushPipeline()
        // The speaker may have come back (a page reload) while the segment was finished: then it
        // never left. Checked again after every wait.
        guard speakers.isEmpty, lifecycle.status != .ended else { return }
        await releaseSpeakerLease()
        guard speakers.isEmpty, lifecycle.status != .ended else { return }
        markBroadcastChange { $0.isActive = false }
        await perform(lifecycle.speakerDidDisconnect())
    }

    /// A change the speaker asked for.
    enum BroadcastChange {
        case pause, resume, mute, unmute
        case volume(Double)
        case state(ClientMessage.SpeakerStateUpdate)
    }

    /// Applies a speaker's change and tells the speakers and every listener.
    func apply(_ change: BroadcastChange) async {
        let type: BroadcastNotification
        var update = ClientMessage.SpeakerStateUpdate()
        switch change {
        case .pause:
            type = .broadcastPaused
            update.isPaused = true
        case .resume:
            type = .broadcastResumed
            update.isPaused = false
        case .mute:
            type = .broadcastMuted
            update.isMuted = true
        case .unmute:
            type = .broadcastUnmuted
            update.isMuted = false
        case .volume(let level):
            type = .volumeChanged
            update.volume = level
        case .state(let state):
            type = .speakerStateChanged
            update = state
        }
        markBroadcastChange { state in
            if let paused = update.isPaused { state.isPaused = paused }
            if let muted = update.isMuted { state.isMuted = muted }
            if let volume = update.volume { state.volume = volume }
        }
        if let paused = update.isPaused {
            await perform(paused ? lifecycle.pauseBroadcast() : lifecycle.resumeBroadcast())
        }
        pipeline?.send(.flowing(broadcast.isFlowing))
        pushAudience()
        let message = ServerMessage.broadcastChange(type, sessionId: id, state: broadcast).encoded()
        for speaker in speakers { speaker.send(text: message) }
        notifyListeners(encoded: message)
    }

    private func markBroadcastChange(_ change: (inout BroadcastState) -> Void) {
        change(&broadcast)
        broadcast.lastStateChange = UnixTime.now
    }

    // MARK: Listeners

    /// Admits a listener. One that gives where it left off (`resume`) first gets the final
    /// captions it missed, when they are still held.
    /// - Throws: `ProtocolError` when the session is full or has ended.
    /// Like `attachSpeaker`, the first message is queued before the listener is visible.
    func addListener(
        _ connection: ClientConnection, language: LanguageCode, captionsOnly: Bool, audioFormat: ListenerAudioFormat, resume: ResumePoint?,
        greeting: @Sendable (Snapshot) -> ServerMessage
    ) throws(ProtocolError) -> ServerMessage {
        guard lifecycle.status != .ended else { throw ProtocolError(.sessionEnded, "The session has ended.") }
        guard listeners.count < settings.maxListenersPerSession else {
            throw ProtocolError(.sessionFull, "The session has its maximum of \(settings.maxListenersPerSession) listeners.")
        }
        var position = streamPosition(of: language)
        let missed = resume.flatMap { point in
            point.epoch == epoch ? histories[language, default: history()].frames(after: point.sequence, latest: position.sequence) : nil
        }
        if resume != nil { position.recovered = missed != nil }
        let message = greeting(Snapshot(status: lifecycle.status, broadcastState: broadcast, stream: position, voice: voice(of: language)))
        connection.send(message)
        for frame in missed ?? [] { connection.send(text: frame) }
        let before = distribution
        listeners.insert(connection, .init(language: language, captionsOnly: captionsOnly, audioFormat: audioFormat))
        distribution[language, default: 0] += 1
        listenersDidChange(from: before)
        return message
    }

    /// The epoch and last sequence of a language's stream.
    func streamPosition(of language: LanguageCode) -> StreamPosition {
        StreamPosition(epoch: epoch, sequence: nextSequence[language, default: 1] - 1)
    }

    private func history() -> LanguageHistory {
        LanguageHistory(capacity: settings.recoveryHistory)
    }

    func removeListener(_ connection: ClientConnection) {
        guard let slot = listeners.remove(connection) else { return }
        let before = distribution
        countListenerLeaving(slot.language)
        listenersDidChange(from: before)
    }

    private func countListenerLeaving(_ language: LanguageCode) {
        distribution[language, default: 1] -= 1
        if distribution[language] == 0 { distribution[language] = nil }
    }

    /// Moves a listener to another language, from the next segment on; returns the previous one.
    func changeLanguage(of connection: ClientConnection, to language: LanguageCode) -> LanguageCode? {
        guard let previous = listeners[connection]?.language else { return nil }
        guard previous != language else { return previous }
        let before = distribution
        listeners.update(connection) { $0.language = language }
        countListenerLeaving(previous)
        distribution[language, default: 0] += 1
        listenersDidChange(from: before)
        return previous
    }

    func setPlaybackPaused(_ paused: Bool, for connection: ClientConnection) {
        listeners.update(connection) { $0.playbackPaused = paused }
        cluster?.reportListeners(of: id, localTally)
        pushAudience()
    }

    private func listenersDidChange(from before: [LanguageCode: Int]) {
        cluster?.reportListeners(of: id, localTally)
        pushAudience()
        if let reason = statusPolicy.reason(before: merged(before), after: wholeDistribution) {
            sendStatus(reason: reason)
        }
    }

    private func notifyListeners(_ message: ServerMessage) {
        notifyListeners(encoded: message.encoded())
    }

    /// Sends one encoded frame to every listener and interpreter: encoded once, whatever the audience.
    private func notifyListeners(encoded text: String) {
        for connection in listeners.connections { connection.send(text: text) }
        for connection in booths.connections { connection.send(text: text) }
        relay(.everyone, text: text)
    }

    /// Every connection of the session on this node.
    private var everyConnection: Set<ClientConnection> {
        speakers.union(listeners.connections).union(booths.connections)
    }

    // MARK: Speech

    /// Starts the speech pipeline for a speaker here, unless it runs already.
    private func startPipelineIfNeeded() {
        guard pipeline == nil else { return }
        let speech = SessionPipeline(
            sessionId: id, sourceLanguage: record.sourceLanguage, engines: engines.forSession(id), store: store, settings: settings, logger: logger)
        var link = PipelineLink(running: speech, for: self)
        if !broadcast.isFlowing { link.send(.flowing(false)) }
        link.push(pipelineAudience)
        pipeline = link
    }

    /// Finishes the segment under way and waits until it is published.
    private func flushPipeline() async {
        guard pipeline != nil else { return }
        await withCheckedContinuation { waiter in
            if pipeline != nil { pipeline?.flush(waiter) } else { waiter.resume() }
        }
    }

    /// Tells the pipeline who listens now, when that changed.
    func pushAudience() {
        pipeline?.push(pipelineAudience)
    }

    /// What the pipeline must know of the listeners, here and on the other nodes: the languages
    /// they listen to, the speech formats wanted in each, the speaker's volume.
    private var pipelineAudience: PipelineAudience {
        var languages: [LanguageCode: Set<ListenerAudioFormat>] = [:]
        for language in listeners.languages { languages[language] = audioFormats(wanted: language) }
        for (language, tally) in remoteListeners where tally.listeners > 0 { languages[language] = audioFormats(wanted: language) }
        return PipelineAudience(languages: languages, volume: broadcast.volume)
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

    /// The formats the listeners of `language` who are listening want speech in; empty when none is.
    func audioFormats(wanted language: LanguageCode) -> Set<ListenerAudioFormat> {
        // A person speaks this language: the machine does not.
        guard voice(of: language) == .machine else { return [] }
        var formats = Set(listeners.listeners(of: language).values.filter(\.wantsAudio).map(\.audioFormat))
        if let remote = remoteListeners[language] {
            if remote.pcmListeners > 0 { formats.insert(.pcm) }
            if remote.opusListeners > 0 { formats.insert(.opus) }
        }
        return formats
    }

    private func takeSequence(_ language: LanguageCode) -> Int {
        let sequence = nextSequence[language, default: 1]
        nextSequence[language] = sequence + 1
        return sequence
    }

    /// Sends a caption to the listeners of `language` (and, in the source language, to the
    /// speakers, as their own live captions), unless the broadcast is paused or muted.
    private func publishCaption(_ caption: Caption, language: LanguageCode, text: String) -> Deliveries {
        guard broadcast.isFlowing else { return .none }
        let started = ContinuousClock.now
        let sequence = takeSequence(language)
        let frame = caption.message(sessionId: id, language: language, text: text, sequence: sequence).encoded()
        if caption.isFinal { histories[language, default: history()].append(sequence: sequence, frame: frame) }
        var deliveries = Deliveries()
        deliveries.add(frame, to: listeners.listeners(of: language).keys)
        relay(.caption, language: language, sequence: sequence, text: frame, isFinal: caption.isFinal)
        if language == record.sourceLanguage {
            deliveries.add(frame, to: speakers.union(booths.connections))
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
        guard broadcast.isFlowing else { return .none }
        // Synthesized speech still being paced out stops when a person takes the language over.
        if chunk.voice == .machine, voice(of: chunk.language) != .machine { return .none }
        let started = ContinuousClock.now
        let sequence = takeSequence(chunk.language)
        var pcmListeners: [ClientConnection] = []
        var opusListeners: [ClientConnection] = []
        for (connection, slot) in listeners.listeners(of: chunk.language) where slot.wantsAudio {
            switch slot.audioFormat {
            case .pcm: pcmListeners.append(connection)
            case .opus: opusListeners.append(connection)
            }
        }
        let remote = remoteListeners[chunk.language] ?? ListenerTally()
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
        guard broadcast.isFlowing else { return .none }
        // This runs for every chunk a person sends: look, do not copy.
        let local = listeners.listeners(of: channel.language).values
        let remote = remoteListeners[channel.language] ?? ListenerTally()
        guard local.contains(where: \.wantsAudio) || remote.pcmListeners + remote.opusListeners > 0 else { return .none }
        let scaled = broadcast.volume == 1 ? samples : PCM.scaled(samples, by: broadcast.volume)
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
        for speaker in speakers { speaker.send(message) }
    }

    // MARK: Status

    /// The status now, as `sessionStatus` carries it.
    func statusMessage(reason: StatusUpdateReason) -> ServerMessage {
        let status = SessionStatusReport(
            distribution: wholeDistribution, sessionDuration: max(0, Int(Date().timeIntervalSince(record.createdAt))), broadcastState: broadcast,
            updateReason: reason, voices: voicesOnAir)
        return ServerMessage(.sessionStatus(status), sessionId: id)
    }

    /// Sends a status to every speaker connection and remembers the count it carried.
    func sendStatus(reason: StatusUpdateReason) {
        guard !speakers.isEmpty else { return }
        let message = statusMessage(reason: reason).encoded()
        for speaker in speakers { speaker.send(text: message) }
        statusPolicy.didSend(listenerCount: wholeListenerCount)
    }

    /// Answers one speaker's `getSessionStatus`.
    func requestedStatus() -> ServerMessage {
        statusPolicy.didSend(listenerCount: wholeListenerCount)
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
    func relay(
        _ audience: RelayedFrame.Audience, language: LanguageCode? = nil, sequence: Int = 0, text: String, isFinal: Bool = false,
        interpreter: InterpreterPass? = nil
    ) {
        guard let cluster else { return }
        let wanted =
            switch audience {
            case .sessionEnded: true
            case .everyone: remoteListeners.values.contains { $0.listeners > 0 }
            case .voice, .revocation: true
            case .caption, .pcmAudio, .opusAudio: (language.flatMap { remoteListeners[$0]?.listeners } ?? 0) > 0
            }
        guard wanted else { return }
        cluster.relay(
            RelayedFrame(
                sessionId: id, audience: audience, language: language?.rawValue ?? "", sequence: sequence, payload: Array(text.utf8), isFinal: isFinal,
                interpreter: interpreter))
    }

    /// Hands a frame relayed by the node running the pipeline to this node's listeners it is for.
    func deliver(_ frame: RelayedFrame) async {
        let language = LanguageCode(frame.language)
        if let language, frame.sequence > 0 {
            // This node's own stream of the language, if it takes the pipeline over, goes on from here.
            nextSequence[language] = max(nextSequence[language, default: 1], frame.sequence + 1)
        }
        let text = String(decoding: frame.payload, as: UTF8.self)
        switch frame.audience {
        case .everyone:
            for connection in listeners.connections { connection.send(text: text) }
        case .caption:
            guard let language else { return }
            // Kept here too, so a listener who reconnects to this node recovers what it missed.
            if frame.isFinal { histories[language, default: history()].append(sequence: frame.sequence, frame: text) }
            for connection in listeners.listeners(of: language).keys { connection.send(text: text) }
        case .pcmAudio:
            guard let language else { return }
            for (connection, slot) in listeners.listeners(of: language) where slot.wantsAudio && slot.audioFormat == .pcm {
                connection.send(audio: .text(text))
            }
        case .opusAudio:
            guard let language else { return }
            let buffer = ClientConnection.Outbound.binary(ByteBuffer(bytes: frame.payload))
            for (connection, slot) in listeners.listeners(of: language) where slot.wantsAudio && slot.audioFormat == .opus {
                connection.send(audio: buffer)
            }
        case .voice:
            guard let language else { return }
            deliverRemoteVoice(text, language: language, interpreter: frame.interpreter)
        case .revocation:
            closeInterpreterConnections(passID: text)
        case .sessionEnded:
            // Another node ended it and published the event; here it only closes.
            _ = lifecycle.end(.endedBySpeaker)
            graceTask?.cancel()
            pipeline?.stop()
            pipeline = nil
            await closeConnections(with: text)
        }
    }

    /// The listeners of the other nodes changed.
    func setRemoteListeners(_ tally: [LanguageCode: ListenerTally]) {
        guard tally != remoteListeners else { return }
        let before = wholeDistribution
        remoteListeners = tally
        pushAudience()
        if let reason = statusPolicy.reason(before: before, after: wholeDistribution) {
            sendStatus(reason: reason)
        }
        reconcileRemoteVoices()
    }

    /// Tells every connection here the session is over, closes them and forgets the session.
    private func closeConnections(with ended: String) async {
        for connection in everyConnection {
            connection.send(text: ended)
            connection.close(.normalClosure, reason: "session ended")
        }
        speakers.removeAll()
        listeners.removeAll()
        booths = InterpreterBooths()
        distribution.removeAll()
        cluster?.reportListeners(of: id, [:])
        await releaseSpeakerLease()
        await onEnded(id)
    }

    /// This node's listeners by language, and its interpreters on the air.
    var localTally: [LanguageCode: ListenerTally] {
        var tally: [LanguageCode: ListenerTally] = [:]
        for language in booths.languages {
            if let seat = booths.onAir(in: language) { tally[language, default: ListenerTally()].interpretersOnAir = [seat.pass] }
        }
        for slot in listeners.slots {
            tally[slot.language, default: ListenerTally()].listeners += 1
            guard slot.wantsAudio else { continue }
            switch slot.audioFormat {
            case .pcm: tally[slot.language, default: ListenerTally()].pcmListeners += 1
            case .opus: tally[slot.language, default: ListenerTally()].opusListeners += 1
            }
        }
        return tally
    }

    /// The listeners of every node by language.
    private var wholeDistribution: [LanguageCode: Int] { merged(distribution) }

    private var wholeListenerCount: Int { wholeDistribution.values.reduce(0, +) }

    /// A distribution of this node's listeners with the other nodes' added.
    private func merged(_ local: [LanguageCode: Int]) -> [LanguageCode: Int] {
        local.merging(remoteListeners.compactMapValues { $0.listeners > 0 ? $0.listeners : nil }, uniquingKeysWith: +)
    }
}
