import DragomanCore
import DragomanSpeech
import Foundation

/// What the replaced design's clients send beyond Dragoman's own actions (docs/protocol.md,
/// "Clients of the replaced design").
extension ConnectionHandler {
    /// An `audioChunk`: PCM like `sendAudio`, at the rate it declares. Its size is bounded by the
    /// whole message's (`maxMessageBytes`, the design's 128 KB), not by `maxAudioChunkBytes`: the
    /// older speaker app sends two seconds a chunk.
    mutating func ingest(_ chunk: LegacyAudioChunk) async {
        let rate = chunk.sampleRate ?? sampleRate
        guard AudioContainer.acceptedSampleRates.contains(rate) else {
            return reject(ProtocolError(.invalidAudioFormat, "sampleRate must be a whole number of Hz from 8000 to 48000.", action: "audioChunk"))
        }
        guard let pcm = Data(base64Encoded: chunk.base64) else {
            return reject(ProtocolError(.invalidAudioFormat, "audioData must be base64 PCM s16le mono.", action: "audioChunk"))
        }
        await ingest(pcm: pcm, action: "audioChunk", sampleRate: rate, limit: gateway.settings.maxMessageBytes)
    }

    /// Tells the design's speaker app of clipping, silence or noise in what it sends.
    mutating func reportQuality(of samples: [Int16], sampleRate: Int) {
        guard var monitor = audioQuality else { return }
        for warning in monitor.inspect(samples, sampleRate: sampleRate, now: gateway.clock.seconds) {
            connection.send(text: LegacyServerMessage(body: .audioQualityWarning(AudioQualityWarning(warning)), sessionId: session.id).encoded())
        }
        audioQuality = monitor
    }

    /// An in-band `refreshConnection` (the design's apps send it on the open connection and wait
    /// for `connectionRefreshComplete`): the connection stays as it is and says where it stands.
    /// Speakers and listeners only: an interpreter gets its first message again.
    func answerRefresh() async {
        // One call, so every field of the answer is of the same moment.
        let (snapshot, language) = await session.snapshot(of: connection)
        connection.send(gateway.refreshComplete(session.record, snapshot, role: connection.role, language: language))
    }
}
