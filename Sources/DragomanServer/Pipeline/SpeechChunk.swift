import DragomanCore
import DragomanSpeech
import Foundation
import NIOCore

/// One chunk of speech in one language, in the forms listeners ask for: a segment's synthesized
/// speech, or a person's voice relayed live.
struct SpeechChunk: Sendable {
    /// Whose voice a chunk is.
    enum Voice: String, Sendable {
        /// Synthesized from a segment's translation.
        case machine
        /// The speaker's own voice, relayed to the listeners of the session's language.
        case floor
        /// An interpreter's voice, relayed to the listeners of its language.
        case interpreter
    }

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
            type: "audioData", sessionId: sessionId,
            fields: [
                "audioData": .string(Data(PCM.littleEndianBytes(samples)).base64EncodedString()),
                "format": "pcm_s16le",
                "sampleRate": .int(sampleRate),
                "targetLanguage": .string(language.rawValue),
                "segmentId": .int(segmentIndex),
                "sequence": .int(sequence),
                "chunkIndex": .int(chunkIndex),
                "isLastChunk": .bool(isLast),
                "publishedAt": .int(UnixTime.milliseconds),
                "floor": .bool(voice == .floor),
                "voice": .string(voice.rawValue),
            ])
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
