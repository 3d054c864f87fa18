/// Speech synthesis by Amazon Polly (`SynthesizeSpeech`, 16 kHz PCM), signed with SigV4 and
/// streamed to listeners as it arrives.
public struct AmazonPollySynthesizer: SpeechSynthesizer {
    public let service: AWSService
    /// The Polly voice of each language (`en` → `Joanna`).
    public let voices: [String: String]
    private let client = EngineHTTPClient(engine: "Amazon Polly")

    /// Polly's PCM output rates are 8 and 16 kHz.
    public static let sampleRate = 16_000

    public init(service: AWSService, voices: [String: String]) {
        self.service = service
        self.voices = voices
    }

    public var supportedLanguages: Set<String> { Set(voices.keys) }

    public func synthesize(_ text: String, language: String) async throws -> SynthesizedSpeech {
        guard let voice = voices[LanguageTag.primary(language)] else { throw UnconfiguredLanguage(engine: client.engine, language: language) }
        let response = try await service.post(
            service: "polly", path: "v1/speech", headers: [(name: "Content-Type", value: "application/json")],
            json: ["OutputFormat": "pcm", "SampleRate": .string(String(Self.sampleRate)), "Text": .string(text), "VoiceId": .string(voice)],
            client: client)
        return SynthesizedSpeech(sampleRate: Self.sampleRate, chunks: EngineHTTPClient.pcmChunks(response))
    }
}
