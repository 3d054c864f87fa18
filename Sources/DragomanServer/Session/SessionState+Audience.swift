import DragomanCore

/// Listeners, here and on the other nodes: who hears what, and when the speaker is told.
extension SessionState {
    /// A listener's last position, from its connect (`epoch`, `since`).
    struct ResumePoint: Sendable {
        var epoch: String
        var sequence: Int
    }

    /// Where a language's stream stands: its epoch and the last sequence it gave out; for a
    /// listener who asked to resume, whether what it missed was sent (`recovered`).
    struct StreamPosition: Sendable, Equatable {
        var epoch: String
        var sequence: Int
        var recovered: Bool?
    }

    /// What a listener is told when it is admitted: its place in its language's stream, and the
    /// final captions it missed (`nil` when it did not ask to resume or they are gone).
    struct Admission {
        var position: StreamPosition
        var missed: [String]?
    }

    /// Admits a listener.
    /// - Throws: `ProtocolError` when the session is full or has ended.
    mutating func addListener(_ connection: ClientConnection, _ slot: ListenerIndex.Slot, resume: ResumePoint?) throws(ProtocolError) -> (
        Admission, [SessionAction]
    ) {
        guard lifecycle.status != .ended else { throw ProtocolError(.sessionEnded, "The session has ended.") }
        guard listeners.count < limits.maxListeners else {
            throw ProtocolError(.sessionFull, "The session has its maximum of \(limits.maxListeners) listeners.")
        }
        var position = streamPosition(of: slot.language)
        let missed = resume.flatMap { missedFrames(since: $0, language: slot.language) }
        if resume != nil { position.recovered = missed != nil }
        let before = distribution
        listeners.insert(connection, slot)
        distribution[slot.language, default: 0] += 1
        return (Admission(position: position, missed: missed), listenersDidChange(from: before))
    }

    mutating func removeListener(_ connection: ClientConnection) -> [SessionAction] {
        guard let slot = listeners.remove(connection) else { return [] }
        let before = distribution
        countListenerLeaving(slot.language)
        return listenersDidChange(from: before)
    }

    /// Moves a listener to another language, from the next segment on; returns the previous one.
    mutating func changeLanguage(of connection: ClientConnection, to language: LanguageCode) -> (previous: LanguageCode?, [SessionAction]) {
        guard let previous = listeners[connection]?.language else { return (nil, []) }
        guard previous != language else { return (previous, []) }
        let before = distribution
        listeners.update(connection) { $0.language = language }
        countListenerLeaving(previous)
        distribution[language, default: 0] += 1
        return (previous, listenersDidChange(from: before))
    }

    mutating func setPlaybackPaused(_ paused: Bool, for connection: ClientConnection) -> [SessionAction] {
        listeners.update(connection) { $0.playbackPaused = paused }
        return [.reportListeners, .pushAudience]
    }

    /// The listeners of the other nodes changed.
    mutating func setRemoteListeners(_ tally: [LanguageCode: ListenerTally]) -> [SessionAction] {
        guard tally != remoteListeners else { return [] }
        let before = wholeDistribution
        remoteListeners = tally
        var actions: [SessionAction] = [.pushAudience]
        if let reason = statusPolicy.reason(before: before, after: wholeDistribution) { actions.append(.sendStatus(reason)) }
        return actions + reconcileRemoteVoices()
    }

    /// A status with the whole listener count now was sent to the speakers.
    mutating func statusWasSent() {
        statusPolicy.didSend(listenerCount: wholeListenerCount)
    }

    private mutating func countListenerLeaving(_ language: LanguageCode) {
        distribution[language, default: 1] -= 1
        if distribution[language] == 0 { distribution[language] = nil }
    }

    private func listenersDidChange(from before: [LanguageCode: Int]) -> [SessionAction] {
        var actions: [SessionAction] = [.reportListeners, .pushAudience]
        if let reason = statusPolicy.reason(before: merged(before), after: wholeDistribution) { actions.append(.sendStatus(reason)) }
        return actions
    }

    /// What the pipeline must know of the listeners, here and on the other nodes: the languages
    /// they listen to, the speech formats wanted in each, the speaker's volume.
    var pipelineAudience: PipelineAudience {
        var languages: [LanguageCode: Set<ListenerAudioFormat>] = [:]
        for language in listeners.languages { languages[language] = audioFormats(wanted: language) }
        for (language, tally) in remoteListeners where tally.listeners > 0 { languages[language] = audioFormats(wanted: language) }
        return PipelineAudience(languages: languages, volume: broadcast.volume)
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
    var wholeDistribution: [LanguageCode: Int] { merged(distribution) }

    var wholeListenerCount: Int { wholeDistribution.values.reduce(0, +) }

    /// Whether any other node has a listener of `language` (any language, when `nil`).
    func hasRemoteListeners(of language: LanguageCode?) -> Bool {
        guard let language else { return remoteListeners.values.contains { $0.listeners > 0 } }
        return (remoteListeners[language]?.listeners ?? 0) > 0
    }

    /// Every connection of the session on this node.
    var everyConnection: Set<ClientConnection> {
        speakers.union(listeners.connections).union(booths.connections)
    }

    /// A distribution of this node's listeners with the other nodes' added.
    private func merged(_ local: [LanguageCode: Int]) -> [LanguageCode: Int] {
        local.merging(remoteListeners.compactMapValues { $0.listeners > 0 ? $0.listeners : nil }, uniquingKeysWith: +)
    }
}
