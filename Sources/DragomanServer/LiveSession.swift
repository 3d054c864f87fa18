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
    private var broadcast: BroadcastState
    private var speakers: Set<ClientConnection> = []
    private var listeners: [ClientConnection: ListenerSlot] = [:]
    private var distribution: [LanguageCode: Int] = [:]
    private var statusPolicy: StatusUpdatePolicy
    private var graceTask: Task<Void, Never>?
    private var pipeline: SessionPipeline?
    /// When each language that has no listener now lost its last one (`MonotonicTime`).
    private var languagesLeftAt: [LanguageCode: Double] = [:]
    /// Next `sequence` of each language's stream of captions and audio.
    private var nextSequence: [LanguageCode: Int] = [:]

    private let settings: ServerConfiguration
    private let store: any DragomanStore
    private let events: EventBus
    private let engines: SpeechEngines
    private let onEnded: @Sendable (String) async -> Void
    private let logger: Logger

    /// What the session knows of one listener.
    struct ListenerSlot {
        var language: LanguageCode
        /// Asked at connect for captions only: its language is not synthesized for it.
        var captionsOnly: Bool
        var audioFormat: ListenerAudioFormat
        var playbackPaused = false

        var wantsAudio: Bool { !captionsOnly && !playbackPaused }
    }

    init(
        record: SessionRecord, settings: ServerConfiguration, store: any DragomanStore, events: EventBus, engines: SpeechEngines, logger: Logger,
        onEnded: @escaping @Sendable (String) async -> Void
    ) {
        self.record = record
        self.lifecycle = SessionLifecycle(restoring: record.status)
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
                notifyListeners(ServerMessage(type: "speakerDisconnected", sessionId: id, fields: [
                    "broadcastState": broadcast.json, "gracePeriodSeconds": .double(settings.speakerGracePeriod),
                ]))
            case .cancelGracePeriod:
                graceTask?.cancel()
                graceTask = nil
                notifyListeners(ServerMessage(type: "speakerReconnected", sessionId: id, fields: ["broadcastState": broadcast.json]))
            case .closeSession(let reason):
                graceTask?.cancel()
                graceTask = nil
                await pipeline?.flush()
                await pipeline?.stop()
                pipeline = nil
                broadcast.isActive = false
                let ended = ServerMessage(type: "sessionEnded", sessionId: id, fields: ["reason": .string(reason)])
                for connection in speakers.union(listeners.keys) {
                    connection.send(ended)
                    connection.close(.normalClosure, reason: "session ended")
                }
                speakers.removeAll()
                listeners.removeAll()
                distribution.removeAll()
                await onEnded(id)
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
        await perform(lifecycle.gracePeriodDidExpire())
    }

    // MARK: Speakers

    /// What a connection's first message reports.
    struct Snapshot: Sendable {
        var status: SessionStatus
        var broadcastState: BroadcastState
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
        await perform(actions)
        return message
    }

    func detachSpeaker(_ connection: ClientConnection) async {
        guard speakers.remove(connection) != nil, speakers.isEmpty, lifecycle.status != .ended else { return }
        // What the speaker said before the drop is still transcribed.
        await pipeline?.flush()
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
        let type: String
        var update = ClientMessage.SpeakerStateUpdate()
        switch change {
        case .pause: type = "broadcastPaused"; update.isPaused = true
        case .resume: type = "broadcastResumed"; update.isPaused = false
        case .mute: type = "broadcastMuted"; update.isMuted = true
        case .unmute: type = "broadcastUnmuted"; update.isMuted = false
        case .volume(let level): type = "volumeChanged"; update.volume = level
        case .state(let state): type = "speakerStateChanged"; update = state
        }
        markBroadcastChange { state in
            if let paused = update.isPaused { state.isPaused = paused }
            if let muted = update.isMuted { state.isMuted = muted }
            if let volume = update.volume { state.volume = volume }
        }
        if let paused = update.isPaused {
            await perform(paused ? lifecycle.pauseBroadcast() : lifecycle.resumeBroadcast())
        }
        await pipeline?.setFlowing(broadcast.isFlowing)
        let message = ServerMessage.broadcastChange(type, sessionId: id, state: broadcast).encoded()
        for speaker in speakers { speaker.send(text: message) }
        notifyListeners(encoded: message)
    }

    private func markBroadcastChange(_ change: (inout BroadcastState) -> Void) {
        change(&broadcast)
        broadcast.lastStateChange = UnixTime.now
    }

    // MARK: Listeners

    /// Admits a listener.
    /// - Throws: `ProtocolError` when the session is full or has ended.
    /// Like `attachSpeaker`, the first message is queued before the listener is visible.
    func addListener(
        _ connection: ClientConnection, language: LanguageCode, captionsOnly: Bool, audioFormat: ListenerAudioFormat,
        greeting: @Sendable (Snapshot) -> ServerMessage
    ) throws(ProtocolError) -> ServerMessage {
        guard lifecycle.status != .ended else { throw ProtocolError(.sessionEnded, "The session has ended.") }
        guard listeners.count < settings.maxListenersPerSession else {
            throw ProtocolError(.sessionFull, "The session has its maximum of \(settings.maxListenersPerSession) listeners.")
        }
        let message = greeting(Snapshot(status: lifecycle.status, broadcastState: broadcast))
        connection.send(message)
        let before = distribution
        listeners[connection] = ListenerSlot(language: language, captionsOnly: captionsOnly, audioFormat: audioFormat)
        distribution[language, default: 0] += 1
        listenersDidChange(from: before)
        return message
    }

    func removeListener(_ connection: ClientConnection) {
        guard let slot = listeners.removeValue(forKey: connection) else { return }
        let before = distribution
        countListenerLeaving(slot.language)
        listenersDidChange(from: before)
    }

    /// A language whose last listener left keeps being translated for `languageLinger`, so a
    /// listener who drops and comes back finds the captions of what it missed.
    private func countListenerLeaving(_ language: LanguageCode) {
        distribution[language, default: 1] -= 1
        guard distribution[language] == 0 else { return }
        distribution[language] = nil
        languagesLeftAt[language] = MonotonicTime.seconds
    }

    /// Moves a listener to another language, from the next segment on; returns the previous one.
    func changeLanguage(of connection: ClientConnection, to language: LanguageCode) -> LanguageCode? {
        guard let previous = listeners[connection]?.language else { return nil }
        guard previous != language else { return previous }
        let before = distribution
        listeners[connection]?.language = language
        countListenerLeaving(previous)
        distribution[language, default: 0] += 1
        listenersDidChange(from: before)
        return previous
    }

    func setPlaybackPaused(_ paused: Bool, for connection: ClientConnection) {
        listeners[connection]?.playbackPaused = paused
    }

    private func listenersDidChange(from before: [LanguageCode: Int]) {
        if let reason = statusPolicy.reason(before: before, after: distribution) {
            sendStatus(reason: reason)
        }
    }

    private func notifyListeners(_ message: ServerMessage) {
        notifyListeners(encoded: message.encoded())
    }

    /// Sends one encoded frame to every listener: encoded once, whatever the audience.
    private func notifyListeners(encoded text: String) {
        for connection in listeners.keys { connection.send(text: text) }
    }

    // MARK: Speech

    /// The session's speech pipeline, started on first use.
    func speechPipeline() async -> SessionPipeline {
        if let pipeline { return pipeline }
        let stored = (try? await store.transcript(sessionId: id).last?.index) ?? 0
        // Another caller may have started it while this one read the store.
        if let pipeline { return pipeline }
        let started = SessionPipeline(session: self, engines: engines.forSession(id), store: store, settings: settings, firstSegmentIndex: stored + 1, logger: logger)
        await started.setFlowing(broadcast.isFlowing)
        pipeline = started
        return started
    }

    /// The languages to translate now: those with listeners, and whether any of them wants to
    /// hear speech; and, for captions only, those whose last listener left less than
    /// `languageLinger` ago.
    func audience() -> [LanguageCode: Bool] {
        let now = MonotonicTime.seconds
        languagesLeftAt = languagesLeftAt.filter { now - $0.value < settings.languageLinger }
        var audience = languagesLeftAt.mapValues { _ in false }
        for slot in listeners.values { audience[slot.language] = (audience[slot.language] ?? false) || slot.wantsAudio }
        return audience
    }

    /// The formats the listeners of `language` who are listening want speech in; empty when none is.
    func audioFormats(wanted language: LanguageCode) -> Set<ListenerAudioFormat> {
        Set(listeners.values.filter { $0.language == language && $0.wantsAudio }.map(\.audioFormat))
    }

    /// The speaker's volume, which synthesized speech is scaled by before it is encoded.
    var speechVolume: Double { broadcast.volume }

    private func takeSequence(_ language: LanguageCode) -> Int {
        let sequence = nextSequence[language, default: 1]
        nextSequence[language] = sequence + 1
        return sequence
    }

    /// Sends a caption to the listeners of `language` (and, in the source language, to the
    /// speakers, as their own live captions), unless the broadcast is paused or muted.
    func publishCaption(_ caption: Caption, language: LanguageCode, text: String) {
        guard broadcast.isFlowing else { return }
        let frame = caption.message(sessionId: id, language: language, text: text, sequence: takeSequence(language)).encoded()
        for (connection, slot) in listeners where slot.language == language { connection.send(text: frame) }
        if language == record.sourceLanguage {
            for speaker in speakers { speaker.send(text: frame) }
        }
    }

    /// Sends a chunk of synthesized speech, already scaled to the speaker's volume, to the
    /// listeners of its language who are listening, unless the broadcast is paused or muted: as
    /// `audioData` PCM, or as one binary frame of `opusPackets` (the same chunk, encoded; `nil`
    /// when the segment is not encoded because no listener asked for Opus when it began).
    /// Both forms of a chunk take the same `sequence`.
    func publishAudio(_ chunk: SpeechChunk) {
        guard broadcast.isFlowing else { return }
        let sequence = takeSequence(chunk.language)
        let audience = listeners.filter { $0.value.language == chunk.language && $0.value.wantsAudio }
        let pcmListeners = audience.filter { $0.value.audioFormat == .pcm }.keys
        if !pcmListeners.isEmpty {
            let frame = chunk.pcmMessage(sessionId: id, sequence: sequence).encoded()
            for connection in pcmListeners { connection.send(text: frame) }
        }
        let opusListeners = audience.filter { $0.value.audioFormat == .opus }.keys
        if !opusListeners.isEmpty, let frame = chunk.opusFrame(sequence: sequence) {
            for connection in opusListeners { connection.send(binary: frame) }
        }
    }

    /// An engine failed: the session goes on with the next segment; the speaker is told.
    func reportEngineFailure(stage: String, error: any Error) {
        logger.error("Engine failure", metadata: ["stage": "\(stage)", "error": "\(error)"])
        Counter(label: "dragoman_engine_failures_total", dimensions: [("stage", stage)]).increment()
        let message = ServerMessage.error(ProtocolError(.engineFailure, "The \(stage) engine failed; the session goes on with the next segment."), sessionId: id)
        for speaker in speakers { speaker.send(message) }
    }

    // MARK: Status

    /// The status now, as `sessionStatus` carries it.
    func statusMessage(reason: StatusUpdateReason) -> ServerMessage {
        .sessionStatus(
            sessionId: id, distribution: distribution,
            sessionDuration: max(0, Int(Date().timeIntervalSince(record.createdAt))), state: broadcast, reason: reason)
    }

    /// Sends a status to every speaker connection and remembers the count it carried.
    func sendStatus(reason: StatusUpdateReason) {
        guard !speakers.isEmpty else { return }
        let message = statusMessage(reason: reason).encoded()
        for speaker in speakers { speaker.send(text: message) }
        statusPolicy.didSend(listenerCount: listeners.count)
    }

    /// Answers one speaker's `getSessionStatus`.
    func requestedStatus() -> ServerMessage {
        statusPolicy.didSend(listenerCount: listeners.count)
        return statusMessage(reason: .requested)
    }
}
