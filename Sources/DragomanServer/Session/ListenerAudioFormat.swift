/// How a listener hears synthesized speech, asked at connect with `audioFormat`.
enum ListenerAudioFormat: String, Sendable {
    /// `audioData` JSON messages of base64 PCM: what clients of the reference design expect, the default.
    case pcm
    /// Binary frames of Opus packets (`OpusAudioFrame`), about a twentieth of the bytes.
    case opus
}
