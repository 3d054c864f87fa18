/// What the speaker is doing with the broadcast (`broadcastState` in docs/protocol.md).
public struct BroadcastState: Sendable, Equatable, Codable {
    /// A speaker connection is open.
    public var isActive: Bool
    public var isPaused: Bool
    public var isMuted: Bool
    /// 0.0 – 1.0, applied to the synthesized speech.
    public var volume: Double
    /// Unix seconds of the last change.
    public var lastStateChange: Int

    public init(isActive: Bool = false, isPaused: Bool = false, isMuted: Bool = false, volume: Double = 1.0, lastStateChange: Int) {
        self.isActive = isActive
        self.isPaused = isPaused
        self.isMuted = isMuted
        self.volume = volume
        self.lastStateChange = lastStateChange
    }

    /// Whether new captions and speech should flow to listeners.
    public var isFlowing: Bool { !isPaused && !isMuted }
}
