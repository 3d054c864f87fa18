/// One window of speech streamed to a Wyoming ASR service; see ``WyomingRecognizer``.
actor WyomingRecognitionSession: RecognitionSession {
    private let connection: WyomingConnection
    private let endpoint: WyomingEndpoint
    private let language: String
    /// When the window is re-decoded for running hypotheses; `nil` for final transcripts only.
    private var schedule: RedecodeSchedule?

    /// The window so far, kept only for re-decoding when hypotheses are on.
    private var heard: [Int16] = []
    private var partialDecode: Task<Void, Never>?
    /// The latest hypothesis, until `feed` hands it on: each is given once, since a committer
    /// that read the same decode twice would take it for two that agree.
    private var unreadHypothesis: String?

    /// Re-decoding less than this much speech gives nothing worth showing.
    static let shortestPartial = PCM.speechSampleRate / 2

    /// Units of at most 10 words when re-decoding. A word is settled only once two re-decodes
    /// agree on it, about 1.2 s after it is spoken at one every 0.5 s, while pocketsphinx's are
    /// decided by a final pass at the first gap after 6 words: with units of 12 words the first
    /// words of a unit waited for the last into a committed lag p90 of 3.8–4.0 s on continuous
    /// talks, with 10 3.3–3.5 s, with 8 2.9–3.2 s but chrF up to 3.1 points below the same words
    /// translated a whole sentence at a time (10: 2.8; docs/BENCHMARKS.md). Whisper's
    /// punctuation ends most units sooner anyway.
    nonisolated let unitWordLimit: Int?

    init(connection: WyomingConnection, endpoint: WyomingEndpoint, language: String, partialInterval: Double) {
        self.connection = connection
        self.endpoint = endpoint
        self.language = language
        if partialInterval > 0 {
            schedule = RedecodeSchedule(interval: Int(partialInterval * Double(PCM.speechSampleRate)), shortest: Self.shortestPartial)
        }
        unitWordLimit = partialInterval > 0 ? 10 : nil
    }

    func feed(_ samples: [Int16]) -> String? {
        connection.send(.speechChunk(samples))
        guard schedule != nil else { return nil }
        heard += samples
        if let count = schedule?.handle(.heard(samples: samples.count)) { startDecode(count) }
        defer { unreadHypothesis = nil }
        return unreadHypothesis
    }

    /// Decodes the first `count` samples of the window on a connection of its own.
    private func startDecode(_ count: Int) {
        let snapshot = Array(heard.prefix(count))
        partialDecode = Task { [endpoint, language] in
            let text = try? await Self.decode(snapshot, endpoint: endpoint, language: language)
            await self.decodeEnded(text)
        }
    }

    private func decodeEnded(_ text: String?) {
        partialDecode = nil
        if let text, !text.isEmpty { unreadHypothesis = text }
        if let count = schedule?.handle(.decodeEnded) { startDecode(count) }
    }

    /// Decodes a whole stretch of speech on a connection of its own.
    private static func decode(_ samples: [Int16], endpoint: WyomingEndpoint, language: String) async throws -> String {
        let connection = try await WyomingRecognizer.startTranscription(endpoint, language: language, hypothesis: true)
        // A final decode should not wait behind a partial one nobody will read.
        return try await withTaskCancellationHandler {
            connection.send(.speechChunk(samples))
            return try await WyomingRecognizer.finishTranscription(connection)
        } onCancel: {
            connection.cancel()
        }
    }

    deinit {
        // A session dropped without finish() (its recognizer failed) must not hold the service.
        partialDecode?.cancel()
        connection.cancel()
    }

    func finish() async throws -> String {
        _ = schedule?.handle(.finishing)
        partialDecode?.cancel()
        return try await WyomingRecognizer.finishTranscription(connection)
    }
}
