/// Why a `sessionStatus` message is sent (`updateReason` in docs/protocol.md).
public enum StatusUpdateReason: String, Sendable, Codable {
    case requested
    case periodic
    case listenerCountChange
    case newLanguage
}

/// Decides when a listener change is worth an unrequested `sessionStatus` to the speaker:
/// a language gaining its first listener, or the total moving by more than a threshold fraction
/// since the last status sent (for any reason).
public struct StatusUpdatePolicy: Sendable, Equatable {
    /// 0.10 sends when the count moves by more than 10 %.
    public var changeThreshold: Double
    public private(set) var lastSentCount = 0

    public init(changeThreshold: Double = 0.10) {
        self.changeThreshold = changeThreshold
    }

    /// Call after every listener join, leave or language change, with the counts before and after.
    /// Returns the reason to send a status now, or `nil`.
    public func reason(before: [LanguageCode: Int], after: [LanguageCode: Int]) -> StatusUpdateReason? {
        let gainedLanguage = after.contains { language, count in count > 0 && (before[language] ?? 0) == 0 }
        if gainedLanguage { return .newLanguage }
        let total = after.values.reduce(0, +)
        let moved = abs(total - lastSentCount)
        if lastSentCount == 0 ? moved > 0 : Double(moved) > changeThreshold * Double(lastSentCount) {
            return .listenerCountChange
        }
        return nil
    }

    /// Records that a status with this listener total was sent.
    public mutating func didSend(listenerCount: Int) {
        lastSentCount = listenerCount
    }
}
