import DragomanSpeech

extension WebSocketTestClient {
    /// Sends 16 kHz speech as a speaker does, in binary frames of 100 ms, as fast as it can
    /// (tests raise `audioChunksPerSecond`), then waits until the server has read them all.
    func speak(_ samples: [Int16]) async throws {
        for start in stride(from: 0, to: samples.count, by: 1_600) {
            send(binary: PCM.littleEndianBytes(samples[start..<min(start + 1_600, samples.count)]))
        }
        try await barrier()
    }
}
