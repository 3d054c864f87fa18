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

    init(connection: WyomingConnection, endpoint: WyomingEndpoint, language: String, partialInterval: Double) {
        self.connection = connection
        self.endpoint = endpoint
        self.language = language
        if partialInterval > 0 {
            schedule = RedecodeSchedule(interval: Int(partialInterval * Double(PCM.speechSampleRate)), shortest: Self.shortestPartial)
        }
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
