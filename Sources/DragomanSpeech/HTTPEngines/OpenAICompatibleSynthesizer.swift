import DragomanCore

/// Speech synthesis by `POST /audio/speech` of an OpenAI-compatible API, as raw PCM
/// (`response_format: pcm`, 24 kHz), streamed to listeners as it arrives.
public struct OpenAICompatibleSynthesizer: SpeechSynthesizer {
    public let api: OpenAICompatibleAPI
    /// `tts-1`, or what the server calls its model.
    public let model: String
    public let voice: String

    /// OpenAI's `pcm` format: 24 kHz, 16-bit, mono.
    public static let sampleRate = 24_000

    public init(api: OpenAICompatibleAPI, model: String, voice: String) {
        self.api = api
        self.model = model
        self.voice = voice
    }

    public var supportedLanguages: Set<String> { api.languages }

    public func synthesize(_ text: String, language: String) async throws -> SynthesizedSpeech {
        _ = try api.check(language)
        let response = try await api.client.post(
            api.url("audio/speech"), headers: api.authorization,
            json: [
                "model": .string(model), "voice": .string(voice), "input": .string(text), "response_format": "pcm",
            ])
        return SynthesizedSpeech(sampleRate: Self.sampleRate, chunks: EngineHTTPClient.pcmChunks(response))
    }
}
