import DragomanCore

/// Speech recognition by a Wyoming ASR service: Dragoman's own Whisper sidecar
/// (`Sidecars/whisper_sidecar.py`), or any other, such as `wyoming-faster-whisper`.
///
/// Audio is streamed to the service as it arrives; Whisper decodes it when the window ends.
/// Whisper has no partial results of its own: with a `partialInterval`, the window heard so far
/// is re-decoded on a second connection after every `partialInterval` seconds of new audio, one
/// decode at a time (``RedecodeSchedule``), and each hypothesis feeds the pipeline's committer.
/// The window is the segment; its final pass, when the segment ends, commits the rest. It is not
/// cut at short pauses as pocketsphinx's is: measured with Dragoman's sidecar, cuts there gave no
/// lower lag and more errors, since Whisper reads a clause better with the words around it
/// (docs/engines.md). Without a `partialInterval`, the segment is decoded once, when it ends.
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

    /// Opens a connection and announces a stream of 16 kHz speech in `language`. A `hypothesis`
    /// (a re-decode of the window under way) says so in the request's `context`: Dragoman's own
    /// sidecar (`Sidecars/whisper_sidecar.py`) decodes final transcripts before it, and skips it
    /// once its connection is gone; other services ignore the mark.
    static func startTranscription(_ endpoint: WyomingEndpoint, language: String, hypothesis: Bool = false) async throws -> WyomingConnection {
        let connection = try await endpoint.connect()
        var request: [String: JSONValue] = ["language": .string(language)]
        if hypothesis { request["context"] = .object(["hypothesis": .bool(true)]) }
        connection.send(WyomingEvent(type: "transcribe", data: request))
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
