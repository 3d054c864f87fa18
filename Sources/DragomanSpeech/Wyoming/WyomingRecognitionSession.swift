/// One window of speech streamed to a Wyoming ASR service; see ``WyomingRecognizer``.
actor WyomingRecognitionSession: RecognitionSession {
    private let connection: WyomingConnection
    /// Re-decodes the window for running hypotheses; `nil` for final transcripts only.
    private let redecoder: WindowRedecoder?

    nonisolated var unitWordLimit: Int? { redecoder == nil ? nil : WindowRedecoder.unitWords }

    init(connection: WyomingConnection, endpoint: WyomingEndpoint, language: String, partialInterval: Double) {
        self.connection = connection
        if partialInterval > 0 {
            redecoder = WindowRedecoder(interval: partialInterval) { samples in
                try await Self.decode(samples, endpoint: endpoint, language: language)
            }
        } else {
            redecoder = nil
        }
    }

    func feed(_ samples: [Int16]) async -> String? {
        connection.send(.speechChunk(samples))
        return await redecoder?.hear(samples)
    }

    /// Decodes a whole stretch of speech on a connection of its own, marked as a hypothesis.
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
        connection.cancel()
    }

    func finish() async throws -> String {
        await redecoder?.finish()
        return try await WyomingRecognizer.finishTranscription(connection)
    }
}
