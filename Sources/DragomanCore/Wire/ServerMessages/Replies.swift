/// `languageChanged`, the reply to a listener's `changeLanguage`.
public struct LanguageChanged: Codable, Sendable, Equatable {
    public var targetLanguage: LanguageCode
    @Nullable public var previousLanguage: LanguageCode?
    /// The new language's stream.
    public var stream: StreamPosition
    public var voice: VoiceOnAir

    public init(targetLanguage: LanguageCode, previousLanguage: LanguageCode?, stream: StreamPosition, voice: VoiceOnAir) {
        self.targetLanguage = targetLanguage
        self.previousLanguage = previousLanguage
        self.stream = stream
        self.voice = voice
    }

    private enum CodingKeys: String, CodingKey {
        case targetLanguage, previousLanguage
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        targetLanguage = try container.decode(LanguageCode.self, forKey: .targetLanguage)
        _previousLanguage = try container.decode(Nullable<LanguageCode>.self, forKey: .previousLanguage)
        stream = try StreamPosition(from: decoder)
        voice = try VoiceOnAir(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(targetLanguage, forKey: .targetLanguage)
        try container.encode(_previousLanguage, forKey: .previousLanguage)
        try stream.encode(to: encoder)
        try voice.encode(to: encoder)
    }
}

/// `interpreterMuted` and `interpreterUnmuted`.
public struct InterpreterMuteState: Codable, Sendable, Equatable {
    public var muted: Bool

    public init(muted: Bool) {
        self.muted = muted
    }
}

/// `voiceChanged`: whose voice a language has now.
public struct VoiceChanged: Codable, Sendable, Equatable {
    public var targetLanguage: LanguageCode
    public var voice: VoiceOnAir

    public init(targetLanguage: LanguageCode, voice: VoiceOnAir) {
        self.targetLanguage = targetLanguage
        self.voice = voice
    }

    private enum CodingKeys: String, CodingKey {
        case targetLanguage
    }

    public init(from decoder: any Decoder) throws {
        targetLanguage = try decoder.container(keyedBy: CodingKeys.self).decode(LanguageCode.self, forKey: .targetLanguage)
        voice = try VoiceOnAir(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(targetLanguage, forKey: .targetLanguage)
        try voice.encode(to: encoder)
    }
}
