import DragomanCore
import DragomanSpeech
import Foundation
import NIOCore

/// One chunk of speech in one language, in the forms listeners ask for: a segment's synthesized
/// speech, or a person's voice relayed live.
struct SpeechChunk: Sendable {
    /// Whose voice a chunk is.
    typealias Voice = VoiceKind

    var language: LanguageCode
    var segmentIndex: Int
    var chunkIndex: Int
    var isLast: Bool
    /// PCM at `sampleRate`, already at the speaker's volume.
    var samples: [Int16]
    var sampleRate: Int
    /// The same speech as Opus packets; `nil` when the segment is not encoded.
    var opusPackets: [[UInt8]]?
    var voice = Voice.machine

    /// Seconds of speech.
    var duration: Double { Double(samples.count) / Double(sampleRate) }

    /// The `audioData` message of PCM listeners.
    func pcmMessage(sessionId: String, sequence: Int) -> ServerMessage {
        ServerMessage(
            .audioData(
                AudioData(
                    audioData: Data(PCM.littleEndianBytes(samples)).base64EncodedString(), sampleRate: sampleRate, targetLanguage: language,
                    segmentId: segmentIndex, sequence: sequence, chunkIndex: chunkIndex, isLastChunk: isLast, publishedAt: UnixTime.milliseconds,
                    voice: voice)),
            sessionId: sessionId)
    }

    /// The binary frame of Opus listeners; `nil` when the segment is not encoded.
    func opusFrame(sequence: Int) -> ByteBuffer? {
        guard let opusPackets else { return nil }
        let frame = OpusAudioFrame(
            language: language, segmentId: UInt32(truncatingIfNeeded: segmentIndex), sequence: UInt32(truncatingIfNeeded: sequence),
            sampleRate: UInt32(OpusEncoder.sampleRate), publishedAt: UInt64(UnixTime.milliseconds), isLastOfSegment: isLast, packets: opusPackets)
        return ByteBuffer(bytes: frame.encoded())
    }
}
