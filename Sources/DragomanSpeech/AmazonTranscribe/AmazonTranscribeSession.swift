import Foundation
import HummingbirdWSClient
import Logging

/// One segment streamed to Amazon Transcribe over its WebSocket; see ``AmazonTranscribeRecognizer``.
/// The connection runs in a task of its own that takes in Transcribe's answers as they come, so
/// `feed` sends and returns at once with what has come so far.
final class AmazonTranscribeSession: RecognitionSession {
    private let stream: TranscribeStream
    private let connection: Task<Void, Never>
    private let finishTimeout: Duration

    /// An `AudioEvent` carries at most 100 ms of speech, as Transcribe advises.
    private static let samplesPerEvent = PCM.speechSampleRate / 10

    /// Connects to a presigned stream URL; returns once the WebSocket is open.
    /// - Throws: the WebSocket client's error where the connection or the upgrade failed.
    init(url: URL, finishTimeout: Duration, logger: Logger) async throws {
        let stream = TranscribeStream()
        self.stream = stream
        self.finishTimeout = finishTimeout
        let (opening, opened) = AsyncStream.makeStream(of: Void.self)
        connection = Task {
            defer { opened.finish() }
            do {
                try await WebSocketClient.connect(url: url.absoluteString, configuration: .init(maxFrameSize: TranscribeStream.largestMessage), logger: logger)
                {
                    inbound, outbound, _ in
                    opened.yield()
                    try await stream.exchange(inbound: inbound, outbound: outbound)
                }
                stream.ended(nil)
            } catch {
                stream.ended(error)
            }
        }
        for await _ in opening { return }
        throw stream.failure ?? CancellationError()
    }

    deinit {
        // A session dropped without finish() (its segment failed elsewhere) must not keep a stream open.
        connection.cancel()
    }

    func feed(_ samples: [Int16]) throws -> String? {
        let partial = try stream.partial()
        for start in stride(from: 0, to: samples.count, by: Self.samplesPerEvent) {
            stream.send(.audioEvent(PCM.littleEndianBytes(samples[start..<min(start + Self.samplesPerEvent, samples.count)])))
        }
        return partial
    }

    func finish() async throws -> String {
        stream.endAudio()
        let connection = connection
        let closed = try await withThrowingTaskGroup(of: Bool.self) { [finishTimeout] group in
            group.addTask {
                await withTaskCancellationHandler {
                    await connection.value
                } onCancel: {
                    connection.cancel()
                }
                return true
            }
            group.addTask {
                try await Task.sleep(for: finishTimeout)
                return false
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
        guard closed else { throw AmazonTranscribeError.timedOut(after: finishTimeout) }
        return try stream.final()
    }
}
