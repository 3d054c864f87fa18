import Foundation
import HummingbirdWSClient
import NIOCore
import Synchronization

/// What an ``AmazonTranscribeSession`` shares with the task that runs its connection: the events
/// to send, and what Transcribe answered. Kept apart from the session so that the task does not
/// keep a dropped session alive.
final class TranscribeStream: Sendable {
    private struct State {
        var results = TranscribeResults()
        /// Why the stream cannot go on: an exception from Transcribe, a broken connection.
        var failure: (any Error)?
        var audioEnded = false
    }

    /// Transcribe's messages are a few kilobytes; a megabyte is far more than a transcript needs.
    static let largestMessage = 1 << 20

    private let state = Mutex(State())
    private let outgoing: AsyncStream<[UInt8]>
    private let outgoingContinuation: AsyncStream<[UInt8]>.Continuation

    init() {
        (outgoing, outgoingContinuation) = AsyncStream.makeStream(of: [UInt8].self)
    }

    var failure: (any Error)? { state.withLock { $0.failure } }

    func send(_ message: AWSEventStreamMessage) {
        outgoingContinuation.yield(message.encoded)
    }

    /// Sends the empty `AudioEvent` that ends the audio; Transcribe then sends its last results and closes.
    func endAudio() {
        state.withLock { $0.audioEnded = true }
        send(.audioEvent([]))
        outgoingContinuation.finish()
    }

    /// What has been heard so far, final and partial.
    func partial() throws -> String? {
        try state.withLock { state throws -> String? in
            if let failure = state.failure { throw failure }
            return state.results.partial
        }
    }

    /// The final transcript, once the connection has closed.
    func final() throws -> String {
        try state.withLock { state throws -> String in
            if let failure = state.failure { throw failure }
            return state.results.final
        }
    }

    /// Writes the events to send while it reads Transcribe's, until Transcribe closes.
    func exchange(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in self.outgoing { try await outbound.write(.binary(ByteBuffer(bytes: event))) }
            }
            for try await message in inbound.messages(maxSize: Self.largestMessage) {
                guard case .binary(let buffer) = message else { continue }
                received(Array(buffer.readableBytesView))
            }
            group.cancelAll()
        }
    }

    private func received(_ bytes: [UInt8]) {
        state.withLock { state in
            do {
                try state.results.take(try AWSEventStreamMessage(decoding: bytes))
            } catch {
                state.failure = state.failure ?? error
            }
        }
    }

    /// The connection is over, with `error` where it broke.
    func ended(_ error: (any Error)?) {
        state.withLock { state in
            guard state.failure == nil else { return }
            state.failure = error ?? (state.audioEnded ? nil : AmazonTranscribeError.closedEarly)
        }
        outgoingContinuation.finish()
    }
}
