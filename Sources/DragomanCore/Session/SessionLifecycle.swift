/// The session state machine: created → active ⇄ paused … → ended.
///
/// The status follows from three facts: whether a speaker is connected, whether the speaker paused
/// the broadcast, and whether the session ended. Each event returns the actions the owner must carry
/// out; the machine itself does no I/O and keeps no clock.
public struct SessionLifecycle: Sendable, Equatable {
    /// What the owner of the session must do after an event.
    public enum Action: Sendable, Equatable {
        /// Publish this transition (store it, emit the event).
        case publish(StatusTransition)
        /// The speaker left: tell listeners and start the reconnect grace period.
        case startGracePeriod
        /// The speaker came back within the grace period: stop waiting and tell listeners.
        case cancelGracePeriod
        /// The session is over: tell everyone, close connections, stop the pipeline.
        case closeSession(reason: String)
    }

    /// Why a session ended.
    public enum EndReason: String, Sendable {
        case endedBySpeaker
        case gracePeriodExpired
        case expired
    }

    public private(set) var speakerConnected = false
    public private(set) var broadcastPaused = false
    public private(set) var hasEnded = false
    public private(set) var hadSpeaker = false

    /// A machine for a new session; `creationActions` publishes its `created` event.
    public init() {}

    /// A machine restored from a stored status after a restart: no speaker is connected, so a
    /// session that had one waits for it as if it had just dropped.
    public init(restoring status: SessionStatus) {
        switch status {
        case .created: break
        case .active, .paused: hadSpeaker = true
        case .ended: hasEnded = true
        }
    }

    /// The status these facts amount to.
    public var status: SessionStatus {
        if hasEnded { return .ended }
        if !hadSpeaker { return .created }
        return speakerConnected && !broadcastPaused ? .active : .paused
    }

    /// Whether a speaker may connect or reattach.
    public var acceptsSpeaker: Bool { !hasEnded }

    /// The actions that announce a newly created session.
    public static var creationActions: [Action] {
        [.publish(StatusTransition(previousStatus: nil, status: .created, reason: "created"))]
    }

    public mutating func speakerDidConnect() -> [Action] {
        guard !hasEnded, !speakerConnected else { return [] }
        let reconnecting = hadSpeaker
        return change(reason: reconnecting ? "speakerReconnected" : "speakerConnected") {
            $0.speakerConnected = true
            $0.hadSpeaker = true
        } + (reconnecting ? [.cancelGracePeriod] : [])
    }

    public mutating func speakerDidDisconnect() -> [Action] {
        guard !hasEnded, speakerConnected else { return [] }
        return change(reason: "speakerDisconnected") { $0.speakerConnected = false } + [.startGracePeriod]
    }

    /// A speaker restored after a restart is absent: wait for it as for a dropped one.
    public var needsGracePeriod: Bool { !hasEnded && hadSpeaker && !speakerConnected }

    public mutating func pauseBroadcast() -> [Action] {
        guard !hasEnded, !broadcastPaused else { return [] }
        return change(reason: "broadcastPaused") { $0.broadcastPaused = true }
    }

    public mutating func resumeBroadcast() -> [Action] {
        guard !hasEnded, broadcastPaused else { return [] }
        return change(reason: "broadcastResumed") { $0.broadcastPaused = false }
    }

    public mutating func end(_ reason: EndReason) -> [Action] {
        guard !hasEnded else { return [] }
        return change(reason: reason.rawValue) { $0.hasEnded = true } + [.closeSession(reason: reason.rawValue)]
    }

    /// The grace period ran out; ends the session unless the speaker is back.
    public mutating func gracePeriodDidExpire() -> [Action] {
        guard needsGracePeriod else { return [] }
        return end(.gracePeriodExpired)
    }

    private mutating func change(reason: String, _ apply: (inout SessionLifecycle) -> Void) -> [Action] {
        let before = status
        apply(&self)
        let after = status
        guard before != after else { return [] }
        return [.publish(StatusTransition(previousStatus: before, status: after, reason: reason))]
    }
}
