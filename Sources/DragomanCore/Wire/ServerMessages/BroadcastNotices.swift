/// The broadcast notifications, named by their `type`.
public enum BroadcastNotification: String, Sendable, CaseIterable {
    case broadcastPaused, broadcastResumed, broadcastMuted, broadcastUnmuted, volumeChanged, speakerStateChanged
}

/// A notification that carries only the new `broadcastState` (`broadcastPaused`,
/// `speakerReconnected`, …).
public struct BroadcastNotice: Codable, Sendable, Equatable {
    public var broadcastState: BroadcastState

    public init(broadcastState: BroadcastState) {
        self.broadcastState = broadcastState
    }
}

/// `volumeChanged`.
public struct VolumeChanged: Codable, Sendable, Equatable {
    public var broadcastState: BroadcastState
    public var volumeLevel: Double

    public init(broadcastState: BroadcastState) {
        self.broadcastState = broadcastState
        self.volumeLevel = broadcastState.volume
    }
}

/// The speaker-controlled part of the broadcast, as `speakerStateChanged` carries it.
public struct SpeakerState: Codable, Sendable, Equatable {
    public var isPaused: Bool
    public var isMuted: Bool
    public var volume: Double

    public init(isPaused: Bool, isMuted: Bool, volume: Double) {
        self.isPaused = isPaused
        self.isMuted = isMuted
        self.volume = volume
    }
}

/// `speakerStateChanged`, with the whole speaker state.
public struct SpeakerStateChanged: Codable, Sendable, Equatable {
    public var broadcastState: BroadcastState
    public var state: SpeakerState

    public init(broadcastState: BroadcastState) {
        self.broadcastState = broadcastState
        self.state = SpeakerState(isPaused: broadcastState.isPaused, isMuted: broadcastState.isMuted, volume: broadcastState.volume)
    }
}

/// `speakerDisconnected`: the last speaker connection closed; the session waits for it.
public struct SpeakerDisconnected: Codable, Sendable, Equatable {
    public var broadcastState: BroadcastState
    public var gracePeriodSeconds: Double

    public init(broadcastState: BroadcastState, gracePeriodSeconds: Double) {
        self.broadcastState = broadcastState
        self.gracePeriodSeconds = gracePeriodSeconds
    }
}
