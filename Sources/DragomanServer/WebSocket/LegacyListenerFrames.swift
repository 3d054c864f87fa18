import DragomanCore
import DragomanSpeech
import Foundation

/// Rewrites the frames of one listener of the replaced design's older listener app, as they are
/// written: `audioData` becomes `audio` (PCM at 16 kHz, the only rate that app plays), and
/// `broadcastPaused`/`broadcastResumed` are followed by the design's `sessionPaused`/
/// `sessionResumed`. Everything else goes out as it is. Only these connections pay for reading
/// their frames again; the session encodes once for everyone as before.
struct LegacyListenerFrames {
    private var sequenceNumber = 0
    /// Kept from chunk to chunk of the same rate, so speech resampled in chunks has no clicks.
    private var resampler: LinearResampler?

    /// The frames to write in place of `text`.
    mutating func frames(for text: String) -> [String] {
        guard let message = try? ServerMessage.decode(text) else { return [text] }
        switch message.body {
        case .audioData(let audio):
            return [audioFrame(audio, sessionId: message.sessionId)]
        case .broadcastPaused:
            return [text, LegacyServerMessage.sessionPaused(sessionId: message.sessionId, timestamp: UnixTime.milliseconds).encoded()]
        case .broadcastResumed:
            return [text, LegacyServerMessage.sessionResumed(sessionId: message.sessionId, timestamp: UnixTime.milliseconds).encoded()]
        default:
            return [text]
        }
    }

    private mutating func audioFrame(_ audio: AudioData, sessionId: String?) -> String {
        var samples = PCM.samples(fromLittleEndian: Data(base64Encoded: audio.audioData) ?? Data())
        if audio.sampleRate != PCM.speechSampleRate {
            var converter =
                resampler.flatMap { $0.inputRate == audio.sampleRate ? $0 : nil }
                ?? LinearResampler(from: audio.sampleRate, to: PCM.speechSampleRate)
            samples = converter.process(samples)
            resampler = converter
        }
        sequenceNumber += 1
        let legacy = LegacyAudio(
            sessionId: sessionId, audioData: Data(PCM.littleEndianBytes(samples)).base64EncodedString(), sampleRate: PCM.speechSampleRate,
            sequenceNumber: sequenceNumber, chunkId: "\(audio.segmentId)-\(audio.chunkIndex)",
            duration: Double(samples.count) / Double(PCM.speechSampleRate), targetLanguage: audio.targetLanguage, timestamp: UnixTime.milliseconds)
        return LegacyServerMessage.audio(legacy).encoded()
    }
}
