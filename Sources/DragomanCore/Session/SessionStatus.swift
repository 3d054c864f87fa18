/// The stored status of a session (docs/protocol.md, "Session lifecycle").
public enum SessionStatus: String, Sendable, Codable, CaseIterable {
    /// Created, no speaker has connected yet.
    case created
    /// A speaker is connected and broadcasting.
    case active
    /// The broadcast is paused, or the speaker dropped and may come back.
    case paused
    /// Over for good: nobody can join or reattach.
    case ended
}

/// One change of status, published as a "Session Status Change" event.
public struct StatusTransition: Sendable, Equatable {
    public var previousStatus: SessionStatus?
    public var status: SessionStatus
    public var reason: String

    public init(previousStatus: SessionStatus?, status: SessionStatus, reason: String) {
        self.previousStatus = previousStatus
        self.status = status
        self.reason = reason
    }
}
