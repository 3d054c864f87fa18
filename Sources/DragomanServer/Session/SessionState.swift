import DragomanCore
import DragomanStore

/// Everything a live session knows, as a value: its lifecycle, broadcast state, who is connected
/// here and on the other nodes, whose voice each language has, and each language's stream
/// (sequences and the final captions kept for listeners who reconnect).
///
/// Each input changes the state and returns what the owner must do (`SessionAction`); the state
/// does no I/O, keeps no clock and never waits, so it is tested without sockets and its decisions
/// cannot interleave with anything. `LiveSession` holds one and only applies the actions: who ends
/// a session is `SessionLifecycle`; who gets which frame is read from here. Its properties change
/// through its inputs only (they are not `private(set)` because the inputs live in several files).
struct SessionState {
    /// What the state needs of the configuration.
    struct Limits {
        var maxListeners: Int
        /// How many final captions of each language are kept for listeners who reconnect.
        var recoveryHistory: Int
        var statusChangeThreshold: Double
    }

    let sourceLanguage: LanguageCode
    /// Names this run of the session's streams: sequences start again at 1 when the session is
    /// restored after a restart, so a position from before is not mistaken for one of now.
    let epoch: String
    let limits: Limits

    var lifecycle: SessionLifecycle
    var broadcast: BroadcastState
    var speakers: Set<ClientConnection> = []
    var listeners = ListenerIndex()
    /// The interpreters connected here, by language.
    var booths = InterpreterBooths()
    /// The interpreters on the air on other nodes, by language.
    var remoteVoices: [LanguageCode: InterpreterPass] = [:]
    /// The listeners of the other nodes, by language.
    var remoteListeners: [LanguageCode: ListenerTally] = [:]
    var distribution: [LanguageCode: Int] = [:]
    var statusPolicy: StatusUpdatePolicy
    /// Next `sequence` of each language's stream of captions and audio.
    var nextSequence: [LanguageCode: Int] = [:]
    /// The last final captions of each language, for listeners who reconnect.
    var histories: [LanguageCode: LanguageHistory] = [:]

    /// The state of a session loaded from the store, `updatedAt` its last change (Unix seconds).
    init(record: SessionRecord, epoch: String, limits: Limits) {
        self.sourceLanguage = record.sourceLanguage
        self.epoch = epoch
        self.limits = limits
        self.lifecycle = SessionLifecycle(restoring: record.status)
        self.broadcast = BroadcastState(lastStateChange: Int(record.updatedAt.timeIntervalSince1970))
        self.statusPolicy = StatusUpdatePolicy(changeThreshold: limits.statusChangeThreshold)
    }

    var status: SessionStatus { lifecycle.status }

    // MARK: Lifecycle

    /// Ends the session for good.
    mutating func end(_ reason: SessionLifecycle.EndReason) -> [SessionAction] {
        lifecycle.end(reason).map(SessionAction.lifecycle)
    }

    /// The reconnect wait ran out.
    mutating func gracePeriodDidExpire() -> [SessionAction] {
        lifecycle.gracePeriodDidExpire().map(SessionAction.lifecycle)
    }

    /// The session ended here: its broadcast is over.
    mutating func broadcastDidStop() {
        broadcast.isActive = false
    }

    /// The session is closing: nobody is connected here any more.
    mutating func removeAllConnections() {
        speakers.removeAll()
        listeners.removeAll()
        booths = InterpreterBooths()
        distribution.removeAll()
    }

    // MARK: Speakers

    /// A speaker connects; `nil` when the session has ended and takes none.
    mutating func attachSpeaker(_ connection: ClientConnection, now: Int) -> [SessionAction]? {
        guard lifecycle.acceptsSpeaker else { return nil }
        markBroadcastChange(now: now) { $0.isActive = true }
        speakers.insert(connection)
        return lifecycle.speakerDidConnect().map(SessionAction.lifecycle)
    }

    /// A speaker connection closed; `true` when it was the session's last one, and the session
    /// has not ended: the owner then calls `speakerDidLeave` and finishes the speech under way.
    mutating func detachSpeaker(_ connection: ClientConnection) -> Bool {
        speakers.remove(connection) != nil && speakerIsAway
    }

    /// Whether no speaker is here and the session goes on: checked again after every wait of a
    /// speaker's leaving, as the speaker may come back (a page reload) meanwhile.
    var speakerIsAway: Bool { speakers.isEmpty && lifecycle.status != .ended }

    /// The last speaker is gone: listeners are told and the reconnect wait starts.
    mutating func speakerDidLeave(now: Int) -> [SessionAction] {
        guard speakerIsAway else { return [] }
        markBroadcastChange(now: now) { $0.isActive = false }
        return lifecycle.speakerDidDisconnect().map(SessionAction.lifecycle)
    }

    /// A change the speaker asked for.
    enum BroadcastChange {
        case pause, resume, mute, unmute
        case volume(Double)
        case state(ClientMessage.SpeakerStateUpdate)
    }

    /// Applies a speaker's change; returns the notification's `type` and what follows from it.
    mutating func apply(_ change: BroadcastChange, now: Int) -> (type: BroadcastNotification, actions: [SessionAction]) {
        let (type, update) = change.update
        markBroadcastChange(now: now) { state in
            if let paused = update.isPaused { state.isPaused = paused }
            if let muted = update.isMuted { state.isMuted = muted }
            if let volume = update.volume { state.volume = volume }
        }
        var actions: [SessionAction] = []
        if let paused = update.isPaused {
            actions += (paused ? lifecycle.pauseBroadcast() : lifecycle.resumeBroadcast()).map(SessionAction.lifecycle)
        }
        return (type, actions + [.pushAudience])
    }

    private mutating func markBroadcastChange(now: Int, _ change: (inout BroadcastState) -> Void) {
        change(&broadcast)
        broadcast.lastStateChange = now
    }

    // MARK: Streams

    /// The epoch and last sequence of a language's stream.
    func streamPosition(of language: LanguageCode) -> StreamPosition {
        StreamPosition(epoch: epoch, sequence: nextSequence[language, default: 1] - 1)
    }

    /// Gives out the next sequence of a language's stream.
    mutating func takeSequence(_ language: LanguageCode) -> Int {
        let sequence = nextSequence[language, default: 1]
        nextSequence[language] = sequence + 1
        return sequence
    }

    /// Keeps a final caption for listeners who reconnect.
    mutating func remember(final frame: String, sequence: Int, language: LanguageCode) {
        histories[language, default: LanguageHistory(capacity: limits.recoveryHistory)].append(sequence: sequence, frame: frame)
    }

    /// A frame of `language` sent by the node running the pipeline: this node's own stream of the
    /// language, if it takes the pipeline over, goes on after it.
    mutating func noteRelayedSequence(_ sequence: Int, language: LanguageCode) {
        nextSequence[language] = max(nextSequence[language, default: 1], sequence + 1)
    }

    /// The final captions after a listener's resume point, `nil` when some are no longer held or
    /// the point is of another run of the session.
    func missedFrames(since point: ResumePoint, language: LanguageCode) -> [String]? {
        guard point.epoch == epoch else { return nil }
        let history = histories[language] ?? LanguageHistory(capacity: limits.recoveryHistory)
        return history.frames(after: point.sequence, latest: streamPosition(of: language).sequence)
    }
}

extension SessionState.BroadcastChange {
    /// The notification's `type`, and the change as a state update.
    var update: (type: BroadcastNotification, ClientMessage.SpeakerStateUpdate) {
        var update = ClientMessage.SpeakerStateUpdate()
        switch self {
        case .pause:
            update.isPaused = true
            return (.broadcastPaused, update)
        case .resume:
            update.isPaused = false
            return (.broadcastResumed, update)
        case .mute:
            update.isMuted = true
            return (.broadcastMuted, update)
        case .unmute:
            update.isMuted = false
            return (.broadcastUnmuted, update)
        case .volume(let level):
            update.volume = level
            return (.volumeChanged, update)
        case .state(let state):
            return (.speakerStateChanged, state)
        }
    }
}
