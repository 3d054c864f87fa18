import DragomanCore
import DragomanSpeech
import Foundation

/// Rewrites the frames of one listener of the replaced design's listener app or example
/// listeners, as they are written (docs/protocol.md, "Clients of the replaced design"). The app's
/// older builds get `audio` (PCM at 16 kHz, the only rate they play) for each `audioData`, and
/// `sessionPaused`/`sessionResumed` after `broadcastPaused`/`broadcastResumed`; its current build
/// gets, for each unit of speech, one `translatedAudio` with the URL of a WAV file and the unit's
/// caption; the example listeners get `sessionPaused`/`sessionResumed` too, and speech as it is.
/// Everything else goes out as it is. Only these connections pay for reading their frames again;
/// the session encodes once for everyone as before.
struct LegacyListenerFrames {
    /// Which build of the app: how it plays speech.
    enum Player {
        case pcmMessages
        /// The example listeners: `audioData` as it is.
        case exampleListener
        /// Units kept in `units`, their URLs made by `url` from the session id and the unit's name.
        case unitURLs(units: SpeechUnits, url: @Sendable (_ sessionId: String, _ name: String) -> String)
    }

    let player: Player
    private var sequenceNumber = 0
    /// Kept from chunk to chunk of the same rate, so speech resampled in chunks has no clicks.
    private var resampler: LinearResampler?
    /// The final caption of each unit whose speech has not come yet.
    private var captions: [Int: String] = [:]
    /// The unit whose speech is arriving.
    private var unit: (segmentId: Int, sampleRate: Int, samples: [Int16])?

    init(player: Player) {
        self.player = player
    }

    /// Longer than any `broadcastPaused` or `broadcastResumed`: an example listener's frames this
    /// long (its speech above all) are passed on without being read again.
    private static let longestBroadcastChange = 1_024

    /// The frames to write in place of `text`.
    mutating func frames(for text: String) async -> [String] {
        if case .exampleListener = player, text.utf8.count > Self.longestBroadcastChange { return [text] }
        guard let message = try? ServerMessage.decode(text) else { return [text] }
        switch (message.body, player) {
        case (.audioData(let audio), .pcmMessages):
            return [audioFrame(audio, sessionId: message.sessionId)]
        case (.audioData(let audio), .unitURLs(let units, let url)):
            return await unitFrame(audio, sessionId: message.sessionId, units: units, url: url).map { [$0] } ?? []
        case (.transcript(let caption), .unitURLs) where caption.isFinal:
            // Units are spoken in order: captions of earlier units are no longer needed.
            captions = captions.filter { $0.key > caption.segmentId - 16 }
            captions[caption.segmentId] = caption.text
            return [text]
        case (.broadcastPaused, .pcmMessages), (.broadcastPaused, .exampleListener):
            return [text, LegacyServerMessage(body: .sessionPaused, sessionId: message.sessionId).encoded()]
        case (.broadcastResumed, .pcmMessages), (.broadcastResumed, .exampleListener):
            return [text, LegacyServerMessage(body: .sessionResumed, sessionId: message.sessionId).encoded()]
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
            audioData: Data(PCM.littleEndianBytes(samples)).base64EncodedString(), sampleRate: PCM.speechSampleRate, sequenceNumber: sequenceNumber,
            chunkId: "\(audio.segmentId)-\(audio.chunkIndex)", duration: Double(samples.count) / Double(PCM.speechSampleRate),
            targetLanguage: audio.targetLanguage)
        return LegacyServerMessage(body: .audio(legacy), sessionId: sessionId).encoded()
    }

    /// Gathers a unit's chunks; its last one makes the WAV file and the `translatedAudio`. A unit
    /// whose first chunks this connection missed (it joined, or was too slow) is sent from what
    /// it got.
    private mutating func unitFrame(
        _ audio: AudioData, sessionId: String?, units: SpeechUnits, url: (String, String) -> String
    ) async -> String? {
        let samples = PCM.samples(fromLittleEndian: Data(base64Encoded: audio.audioData) ?? Data())
        if let unit, unit.segmentId == audio.segmentId, unit.sampleRate == audio.sampleRate {
            self.unit?.samples += samples
        } else {
            unit = (audio.segmentId, audio.sampleRate, samples)
        }
        guard audio.isLastChunk, let sessionId, let unit, !unit.samples.isEmpty else { return nil }
        self.unit = nil
        let wav = WAVFile(sampleRate: unit.sampleRate, samples: unit.samples)
        let name = await units.keep(sessionId: sessionId, language: audio.targetLanguage, segmentId: unit.segmentId, wav: wav.encoded())
        sequenceNumber += 1
        let translated = TranslatedAudio(
            targetLanguage: audio.targetLanguage, url: url(sessionId, name), transcript: captions[unit.segmentId] ?? "", duration: wav.duration,
            sequenceNumber: sequenceNumber)
        captions[unit.segmentId] = nil
        return LegacyServerMessage(body: .translatedAudio(translated), sessionId: sessionId).encoded()
    }
}
