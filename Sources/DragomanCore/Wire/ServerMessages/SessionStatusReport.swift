/// `sessionStatus`, to speakers.
public struct SessionStatusReport: Codable, Sendable, Equatable {
    public var listenerCount: Int
    /// Listeners by language code.
    public var languageDistribution: [String: Int]
    /// Seconds since the session was created.
    public var sessionDuration: Int
    public var broadcastState: BroadcastState
    public var updateReason: StatusUpdateReason
    /// The languages that have a person on the air, and that person's name; absent where the
    /// status is not a session's.
    public var voices: [String: String]?

    public init(
        distribution: [LanguageCode: Int], sessionDuration: Int, broadcastState: BroadcastState, updateReason: StatusUpdateReason,
        voices: [LanguageCode: String]? = nil
    ) {
        self.listenerCount = distribution.values.reduce(0, +)
        self.languageDistribution = Dictionary(uniqueKeysWithValues: distribution.map { ($0.key.rawValue, $0.value) })
        self.sessionDuration = sessionDuration
        self.broadcastState = broadcastState
        self.updateReason = updateReason
        self.voices = voices.map { Dictionary(uniqueKeysWithValues: $0.map { ($0.key.rawValue, $0.value) }) }
    }
}
