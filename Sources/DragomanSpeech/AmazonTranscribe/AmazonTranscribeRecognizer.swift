import Foundation
import Logging

/// Speech recognition by Amazon Transcribe streaming, over its WebSocket API: a URL presigned
/// with SigV4, the segment's audio sent as it arrives in `AudioEvent`s of AWS's event-stream
/// framing, and `TranscriptEvent`s back with partial results (provisional captions, stabilized by
/// Transcribe, which feed the pipeline's committer) and final ones.
public struct AmazonTranscribeRecognizer: SpeechRecognizer {
    public let service: AWSService
    /// The Transcribe language code of each language (`en` → `en-US`).
    public let languageCodes: [String: String]
    /// How long `finish` waits for the last results after the end of the audio.
    public let finishTimeout: Duration
    private let logger: Logger

    /// A presigned URL is good for at most 300 s; it is used at once.
    static let presignedURLLifetime = 300

    public init(service: AWSService, languageCodes: [String: String], finishTimeout: Duration = .seconds(10), logger: Logger) {
        self.service = service
        self.languageCodes = languageCodes
        self.finishTimeout = finishTimeout
        self.logger = logger
    }

    public var supportedLanguages: Set<String> { Set(languageCodes.keys) }

    public func makeSession(language: String) async throws -> any RecognitionSession {
        guard let code = languageCodes[LanguageTag.primary(language)] else { throw UnconfiguredLanguage(engine: "Amazon Transcribe", language: language) }
        return try await AmazonTranscribeSession(url: streamURL(languageCode: code), finishTimeout: finishTimeout, logger: logger)
    }

    /// The presigned URL of a stream of 16 kHz PCM in `languageCode`.
    func streamURL(languageCode: String) -> URL {
        let base = service.webSocketEndpoint ?? URL(string: "wss://transcribestreaming.\(service.region).amazonaws.com:8443")!
        var components = URLComponents(url: base.appendingPathComponent("stream-transcription-websocket"), resolvingAgainstBaseURL: false)!
        components.queryItems = [
            URLQueryItem(name: "language-code", value: languageCode),
            URLQueryItem(name: "media-encoding", value: "pcm"),
            URLQueryItem(name: "sample-rate", value: String(PCM.speechSampleRate)),
            // Transcribe's own stabilization: a partial result then revises only its last words,
            // and the committer's agreement between two partials settles the rest at once.
            URLQueryItem(name: "enable-partial-results-stabilization", value: "true"),
            URLQueryItem(name: "partial-results-stability", value: "high"),
        ]
        return AWSSigner(credentials: service.credentials, region: service.region, service: "transcribe")
            .presignedURL(components.url!, expires: Self.presignedURLLifetime, payloadHash: AWSSigner.payloadHash([]))
    }
}
