/// Where a language's stream stands, as a listener's first message and `languageChanged` carry
/// it: its `epoch` and the last `sequence` given out; for a listener who asked to resume, whether
/// what it missed was sent (`recovered`, absent otherwise).
public struct StreamPosition: Codable, Sendable, Equatable {
    public var epoch: String
    public var sequence: Int
    public var recovered: Bool?

    public init(epoch: String, sequence: Int, recovered: Bool? = nil) {
        self.epoch = epoch
        self.sequence = sequence
        self.recovered = recovered
    }
}

/// Whose voice a language's listeners hear (docs/protocol.md, "Interpreters").
public enum VoiceKind: String, Codable, Sendable, Equatable {
    /// Synthesized from a segment's translation.
    case machine
    /// The speaker's own voice, relayed to the listeners of the session's language.
    case floor
    /// An interpreter's voice, relayed to the listeners of its language.
    case interpreter
}

/// `voice`, `interpreter` and `interpreterId` of a language, as `voiceChanged` and a listener's
/// first message carry them; the interpreter's name and id are `null` when no person is on the air.
public struct VoiceOnAir: Codable, Sendable, Equatable {
    public var voice: VoiceKind
    @Nullable public var interpreter: String?
    @Nullable public var interpreterId: String?

    public init(voice: VoiceKind, interpreter: String? = nil, interpreterId: String? = nil) {
        self.voice = voice
        self.interpreter = interpreter
        self.interpreterId = interpreterId
    }
}
