/// Words of a running hypothesis that a ``StreamingCommitter`` committed together: a clause or a
/// sentence, worth translating on its own, never revised.
public struct StreamingUnit: Sendable, Equatable {
    /// The words, as the recognizer spelled them.
    public var words: [String]
    /// When the unit's first word first appeared in a hypothesis (the caller's clock).
    public var startTime: Double
    /// When the unit's last word first appeared in a hypothesis.
    public var endTime: Double

    public init(words: [String], startTime: Double, endTime: Double) {
        self.words = words
        self.startTime = startTime
        self.endTime = endTime
    }

    /// The words joined by spaces.
    public var text: String { words.joined(separator: " ") }
}

/// What one input to a ``StreamingCommitter`` changed.
public struct StreamingUpdate: Sendable, Equatable {
    /// Units committed by this input, in order; empty when none was.
    public var committed: [StreamingUnit]
    /// The words after the last committed unit that are worth showing now: the stable ones not
    /// yet in a unit, then the unstable tail without its last words (which change most).
    public var provisional: [String]

    public init(committed: [StreamingUnit] = [], provisional: [String] = []) {
        self.committed = committed
        self.provisional = provisional
    }
}
