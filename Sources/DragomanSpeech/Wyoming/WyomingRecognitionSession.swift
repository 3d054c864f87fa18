/// One segment streamed to a Wyoming ASR service; see ``WyomingRecognizer``.
actor WyomingRecognitionSession: RecognitionSession {
    private let connection: WyomingConnection
    private let endpoint: WyomingEndpoint
    private let language: String
    private let partialInterval: Double

    /// The segment so far, kept only for re-decoding when partials are on.
    private var heard: [Int16] = []
    private var partialDecode: Task<Void, Never>?
    private var lastPartialStarted = ContinuousClock.now
    private var latestPartial: String?

    /// Re-decoding less than this much speech gives nothing worth showing.
    private static let shortestPartial = PCM.speechSampleRate / 2

    init(connection: WyomingConnection, endpoint: WyomingEndpoint, language: String, partialInterval: Double) {
        self.connection = connection
        self.endpoint = endpoint
        self.language = language
        self.partialInterval = partialInterval
    }

    func feed(_ samples: [Int16]) -> String? {
        connection.send(.speechChunk(samples))
        guard partialInterval > 0 else { return nil }
        heard += samples
        let now = ContinuousClock.now
        if partialDecode == nil, heard.count >= Self.shortestPartial, now - lastPartialStarted >= .seconds(partialInterval) {
            lastPartialStarted = now
            let snapshot = heard
            partialDecode = Task { [endpoint, language] in
                let text = try? await Self.decode(snapshot, endpoint: endpoint, language: language)
                await self.partialDecoded(text)
            }
        }
        return latestPartial
    }

    private func partialDecoded(_ text: String?) {
        partialDecode = nil
        if let text, !text.isEmpty { latestPartial = text }
    }

    /// Decodes a whole stretch of speech on a connection of its own.
    private static func decode(_ samples: [Int16], endpoint: WyomingEndpoint, language: String) async throws -> String {
        let connection = try await WyomingRecognizer.startTranscription(endpoint, language: language)
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
        partialDecode?.cancel()
        return try await WyomingRecognizer.finishTranscription(connection)
    }
}
