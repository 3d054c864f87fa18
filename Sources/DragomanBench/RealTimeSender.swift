import DragomanClient
import DragomanCore
import DragomanSpeech
import Foundation
import NIOCore

/// Streams PCM to a speaker connection as a microphone would deliver it: 100 ms frames, each sent
/// when its last sample has been "spoken", paced by the clock so a slow loop does not drift.
package struct RealTimeSender {
    package let samples: [Int16]
    package let sampleRate: Int
    /// Send as fast as the rate limit allows instead (for tests and quick checks).
    package var fast = false

    package init(samples: [Int16], sampleRate: Int, fast: Bool = false) {
        self.samples = samples
        self.sampleRate = sampleRate
        self.fast = fast
    }

    package var duration: Double { Double(samples.count) / Double(sampleRate) }

    /// Sends everything; returns the `MonotonicTime` at which the stream's time 0 was, so that
    /// audio time t was spoken at `start + t`.
    @discardableResult
    package func send(to connection: LiveConnection, progress: (Double) -> Void = { _ in }) async throws -> Double {
        let frameLength = sampleRate / 10
        let start = MonotonicTime.seconds
        for frameStart in stride(from: 0, to: samples.count, by: frameLength) {
            let frameEnd = min(frameStart + frameLength, samples.count)
            let spokenBy = Double(frameEnd) / Double(sampleRate)
            let wait = fast ? 0.021 : start + spokenBy - MonotonicTime.seconds
            if wait > 0 { try await Task.sleep(for: .seconds(wait)) }
            connection.send(binary: ByteBuffer(bytes: PCM.littleEndianBytes(samples[frameStart..<frameEnd])))
            progress(spokenBy)
        }
        return start
    }
}
