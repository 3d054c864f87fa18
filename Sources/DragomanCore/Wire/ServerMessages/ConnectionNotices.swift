/// Why a session ended, as `sessionEnded` says it.
public struct SessionEnded: Codable, Sendable, Equatable {
    /// `endedBySpeaker`, `gracePeriodExpired` or `expired`.
    public var reason: String

    public init(reason: String) {
        self.reason = reason
    }
}

/// `connectionWarning`: the connection reaches its maximum age soon.
public struct ConnectionWarning: Codable, Sendable, Equatable {
    public var remainingMinutes: Int
    public var remainingSeconds: Int

    public init(remainingMinutes: Int, remainingSeconds: Int) {
        self.remainingMinutes = remainingMinutes
        self.remainingSeconds = remainingSeconds
    }
}

/// `connectionRefreshRequired`: connect again with `refreshConnection`.
public struct ConnectionRefreshRequired: Codable, Sendable, Equatable {
    public var message: String
    /// `serverShutdown` when the server is stopping; absent at the maximum connection age.
    public var reason: String?

    public init(message: String, reason: String? = nil) {
        self.message = message
        self.reason = reason
    }
}
