/// `sessionCreated`, a speaker's first message.
public struct SessionCreated: Codable, Sendable, Equatable {
    public var title: String
    public var sourceLanguage: LanguageCode
    public var qualityTier: String
    public var status: SessionStatus
    public var broadcastState: BroadcastState
    /// The listener page.
    public var joinUrl: String
    /// What listeners may pick.
    public var availableLanguages: [LanguageCode]

    public init(
        title: String, sourceLanguage: LanguageCode, qualityTier: String, status: SessionStatus, broadcastState: BroadcastState, joinUrl: String,
        availableLanguages: [LanguageCode]
    ) {
        self.title = title
        self.sourceLanguage = sourceLanguage
        self.qualityTier = qualityTier
        self.status = status
        self.broadcastState = broadcastState
        self.joinUrl = joinUrl
        self.availableLanguages = availableLanguages
    }
}

/// `sessionJoined`, a listener's first message.
public struct SessionJoined: Codable, Sendable, Equatable {
    public var targetLanguage: LanguageCode
    public var sourceLanguage: LanguageCode
    public var title: String
    /// Who speaks; absent when the speaker gave no name (and from servers before it existed).
    public var speakerName: String?
    public var status: SessionStatus
    public var broadcastState: BroadcastState
    public var stream: StreamPosition
    public var voice: VoiceOnAir

    public init(
        targetLanguage: LanguageCode, sourceLanguage: LanguageCode, title: String, status: SessionStatus, broadcastState: BroadcastState,
        stream: StreamPosition, voice: VoiceOnAir, speakerName: String? = nil
    ) {
        self.targetLanguage = targetLanguage
        self.sourceLanguage = sourceLanguage
        self.title = title
        self.speakerName = speakerName
        self.status = status
        self.broadcastState = broadcastState
        self.stream = stream
        self.voice = voice
    }

    private enum CodingKeys: String, CodingKey {
        case targetLanguage, sourceLanguage, title, speakerName, status, broadcastState
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        targetLanguage = try container.decode(LanguageCode.self, forKey: .targetLanguage)
        sourceLanguage = try container.decode(LanguageCode.self, forKey: .sourceLanguage)
        title = try container.decode(String.self, forKey: .title)
        speakerName = try container.decodeIfPresent(String.self, forKey: .speakerName)
        status = try container.decode(SessionStatus.self, forKey: .status)
        broadcastState = try container.decode(BroadcastState.self, forKey: .broadcastState)
        stream = try StreamPosition(from: decoder)
        voice = try VoiceOnAir(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(targetLanguage, forKey: .targetLanguage)
        try container.encode(sourceLanguage, forKey: .sourceLanguage)
        try container.encode(title, forKey: .title)
        try container.encodeIfPresent(speakerName, forKey: .speakerName)
        try container.encode(status, forKey: .status)
        try container.encode(broadcastState, forKey: .broadcastState)
        try stream.encode(to: encoder)
        try voice.encode(to: encoder)
    }
}

/// `connectionRefreshComplete`, the first message of a `refreshConnection`; a listener's also
/// says its language, its stream position and whose voice it hears.
public struct ConnectionRefreshComplete: Codable, Sendable, Equatable {
    public var role: Role
    public var status: SessionStatus
    public var broadcastState: BroadcastState
    public var targetLanguage: LanguageCode?
    public var stream: StreamPosition?
    public var voice: VoiceOnAir?

    public init(
        role: Role, status: SessionStatus, broadcastState: BroadcastState, targetLanguage: LanguageCode? = nil, stream: StreamPosition? = nil,
        voice: VoiceOnAir? = nil
    ) {
        self.role = role
        self.status = status
        self.broadcastState = broadcastState
        self.targetLanguage = targetLanguage
        self.stream = stream
        self.voice = voice
    }

    private enum CodingKeys: String, CodingKey {
        case role, status, broadcastState, targetLanguage
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        role = try container.decode(Role.self, forKey: .role)
        status = try container.decode(SessionStatus.self, forKey: .status)
        broadcastState = try container.decode(BroadcastState.self, forKey: .broadcastState)
        targetLanguage = try container.decodeIfPresent(LanguageCode.self, forKey: .targetLanguage)
        stream = try StreamPosition.flattened(from: decoder, whenItHas: "epoch")
        voice = try VoiceOnAir.flattened(from: decoder, whenItHas: "voice")
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(role, forKey: .role)
        try container.encode(status, forKey: .status)
        try container.encode(broadcastState, forKey: .broadcastState)
        try container.encodeIfPresent(targetLanguage, forKey: .targetLanguage)
        try stream?.encode(to: encoder)
        try voice?.encode(to: encoder)
    }
}

/// `interpreterJoined`, an interpreter's first message (docs/protocol.md, "Interpreters").
public struct InterpreterJoined: Codable, Sendable, Equatable {
    public var interpreterId: String
    public var name: String
    public var targetLanguage: LanguageCode
    public var sourceLanguage: LanguageCode
    public var title: String
    public var status: SessionStatus
    public var broadcastState: BroadcastState
    public var muted: Bool
    /// Whether this connection is the voice of its language now.
    public var onAir: Bool
    public var voice: VoiceKind
    /// The name of whoever is on the air.
    @Nullable public var interpreter: String?

    public init(
        interpreterId: String, name: String, targetLanguage: LanguageCode, sourceLanguage: LanguageCode, title: String, status: SessionStatus,
        broadcastState: BroadcastState, muted: Bool, onAir: Bool, voice: VoiceKind, interpreter: String?
    ) {
        self.interpreterId = interpreterId
        self.name = name
        self.targetLanguage = targetLanguage
        self.sourceLanguage = sourceLanguage
        self.title = title
        self.status = status
        self.broadcastState = broadcastState
        self.muted = muted
        self.onAir = onAir
        self.voice = voice
        self.interpreter = interpreter
    }
}
