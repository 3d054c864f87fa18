/// `transcript`: a caption of one segment in one language.
public struct Transcript: Codable, Sendable, Equatable {
    public var targetLanguage: LanguageCode
    public var text: String
    public var sourceText: String
    /// Partial captions of a segment may be revised until its final one.
    public var isFinal: Bool
    public var segmentId: Int
    public var sequence: Int
    /// Seconds of session audio.
    public var startTime: Double
    public var endTime: Double
    /// Unix time in milliseconds when the server sent it.
    public var publishedAt: Int

    public init(
        targetLanguage: LanguageCode, text: String, sourceText: String, isFinal: Bool, segmentId: Int, sequence: Int, startTime: Double, endTime: Double,
        publishedAt: Int
    ) {
        self.targetLanguage = targetLanguage
        self.text = text
        self.sourceText = sourceText
        self.isFinal = isFinal
        self.segmentId = segmentId
        self.sequence = sequence
        self.startTime = startTime
        self.endTime = endTime
        self.publishedAt = publishedAt
    }
}

/// `audioData`: one chunk of speech as base64 PCM s16le mono.
public struct AudioData: Codable, Sendable, Equatable {
    public var audioData: String
    /// `pcm_s16le`; `wav` (a whole WAV file) for the replaced design's example listeners only.
    public var format: String
    public var sampleRate: Int
    public var targetLanguage: LanguageCode
    public var segmentId: Int
    public var sequence: Int
    public var chunkIndex: Int
    public var isLastChunk: Bool
    /// Unix time in milliseconds when the server sent it.
    public var publishedAt: Int
    /// The speaker's own voice (floor audio).
    public var floor: Bool
    public var voice: VoiceKind

    public init(
        audioData: String, format: String = "pcm_s16le", sampleRate: Int, targetLanguage: LanguageCode, segmentId: Int, sequence: Int, chunkIndex: Int,
        isLastChunk: Bool, publishedAt: Int, voice: VoiceKind
    ) {
        self.audioData = audioData
        self.format = format
        self.sampleRate = sampleRate
        self.targetLanguage = targetLanguage
        self.segmentId = segmentId
        self.sequence = sequence
        self.chunkIndex = chunkIndex
        self.isLastChunk = isLastChunk
        self.publishedAt = publishedAt
        self.floor = voice == .floor
        self.voice = voice
    }
}

/// `audioSkipped`: speech a slow listener lost.
public struct AudioSkipped: Codable, Sendable, Equatable {
    public var skippedChunks: Int
    public var message: String

    public init(skippedChunks: Int, message: String) {
        self.skippedChunks = skippedChunks
        self.message = message
    }
}
