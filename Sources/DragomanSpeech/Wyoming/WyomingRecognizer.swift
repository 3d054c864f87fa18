/// Speech recognition by a Wyoming ASR service, typically `wyoming-faster-whisper`.
///
/// Audio is streamed to the service as it arrives; Whisper decodes it when the window ends.
/// Whisper has no partial results of its own: with a `partialInterval`, the window heard so far
/// is re-decoded on a second connection after every `partialInterval` seconds of new audio, one
/// decode at a time (``RedecodeSchedule``), and each hypothesis feeds the pipeline's committer.
/// The window is the segment; its final pass, when the segment ends, commits the rest. It is not
/// cut at short pauses as pocketsphinx's is: a cut waits for a final decode, which costs Whisper
/// about as much however short the window, and a cut every few seconds is more than two cores
/// keep up with (docs/BENCHMARKS.md). Without a `partialInterval`, the segment is decoded once,
/// when it ends.
public struct WyomingRecognizer: SpeechRecognizer {
    public let endpoint: WyomingEndpoint
    public let supportedLanguages: Set<String>
    /// Seconds of new audio between re-decodes of the window under way; 0 for final transcripts only.
    public let partialInterval: Double

    /// - Parameter languages: the BCP-47 codes of the languages the service's model transcribes.
    public init(endpoint: WyomingEndpoint, languages: Set<String>, partialInterval: Double = 0) {
        self.endpoint = endpoint
        self.supportedLanguages = languages
        self.partialInterval = partialInterval
    }

    public func makeSession(language: String) async throws -> any RecognitionSession {
        let primary = LanguageTag.primary(language)
        guard supportedLanguages.contains(primary) else { throw WyomingError.unsupportedLanguage(language) }
        return WyomingRecognitionSession(
            connection: try await Self.startTranscription(endpoint, language: primary),
            endpoint: endpoint, language: primary, partialInterval: partialInterval)
    }

    /// Transcribes half a second of silence at `address`: a sidecar's warm-up.
    public static func warmUp(_ address: WyomingAddress) async throws {
        let connection = try await startTranscription(WyomingEndpoint(address: address), language: "en")
        connection.send(.speechChunk([Int16](repeating: 0, count: PCM.speechSampleRate / 2)))
        _ = try await finishTranscription(connection)
    }

    /// Opens a connection and announces a stream of 16 kHz speech in `language`.
    static func startTranscription(_ endpoint: WyomingEndpoint, language: String) async throws -> WyomingConnection {
        let connection = try await endpoint.connect()
        connection.send(WyomingEvent(type: "transcribe", data: ["language": .string(language)]))
        connection.send(WyomingEvent(type: "audio-start", data: WyomingEvent.audioFormat(rate: PCM.speechSampleRate)))
        return connection
    }

    /// Ends the stream on `connection` and returns its transcript, with whitespace tidied.
    static func finishTranscription(_ connection: WyomingConnection) async throws -> String {
        defer { connection.close() }
        var events = connection.events.makeAsyncIterator()
        connection.send(WyomingEvent(type: "audio-stop", data: WyomingEvent.audioFormat(rate: PCM.speechSampleRate)))
        let transcript = try await events.next("transcript")
        return (transcript.text ?? "").split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}

extension WyomingEvent {
    /// A chunk of 16 kHz speech.
    static func speechChunk(_ samples: [Int16]) -> WyomingEvent {
        WyomingEvent(type: "audio-chunk", data: audioFormat(rate: PCM.speechSampleRate), payload: PCM.littleEndianBytes(samples))
    }
}
