import DragomanCore
import DragomanSpeech

/// A person's voice relayed live to one language's listeners (the speaker's floor audio, an
/// interpreter): numbers its chunks and encodes them once for every Opus listener.
struct LiveVoiceChannel {
    let language: LanguageCode
    let voice: SpeechChunk.Voice
    private var encoder: (encoder: OpusEncoder, inputRate: Int)?
    private var chunks = 0

    init(language: LanguageCode, voice: SpeechChunk.Voice) {
        self.language = language
        self.voice = voice
    }

    /// The next chunk of the voice, already at the speaker's volume; with `encodeOpus`, also as
    /// Opus packets. An encoder failure leaves the packets out and is returned, to be logged: the
    /// PCM listeners still hear the chunk.
    mutating func chunk(_ samples: [Int16], sampleRate: Int, encodeOpus: Bool, bitrate: Int) -> (chunk: SpeechChunk, encodingError: (any Error)?) {
        var packets: [[UInt8]]?
        var encodingError: (any Error)?
        if encodeOpus {
            do {
                if encoder?.inputRate != sampleRate {
                    encoder = (try OpusEncoder(inputRate: sampleRate, bitrate: bitrate), sampleRate)
                }
                packets = try encoder?.encoder.encode(samples)
            } catch {
                encodingError = error
            }
        }
        chunks += 1
        let chunk = SpeechChunk(
            language: language, segmentIndex: 0, chunkIndex: chunks, isLast: false, samples: samples, sampleRate: sampleRate,
            opusPackets: packets, voice: voice)
        return (chunk, encodingError)
    }
}
