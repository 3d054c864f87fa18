import DragomanCore
import DragomanSpeech
import Foundation

/// Rewrites the frames of one listener of the replaced design's listener app or example
/// listeners, as they are written (docs/protocol.md, "Clients of the replaced design"). The app's
/// older builds get `audio` (PCM at 16 kHz, the only rate they play) for each `audioData`, and
/// `sessionPaused`/`sessionResumed` after `broadcastPaused`/`broadcastResumed`; its current build
/// gets, for each unit of speech, one `translatedAudio` with the URL of a WAV file and the unit's
/// caption; the example listeners get `sessionPaused`/`sessionResumed` too, and each unit of
/// speech as one `audioData` holding a WAV file. Everything else goes out as it is. Only these
/// connections pay for reading their frames again; the session encodes once for everyone as before.
struct LegacyListenerFrames {
    /// Which client: how it plays speech.
    enum Player {
        case pcmMessages
        /// The example listeners, which hand each `audioData` to `decodeAudioData` (a file, not
        /// raw PCM): a unit of speech as one `audioData` holding a WAV file.
        case wavMessages
        /// Units kept in `units`, their URLs made by `url` from the session id and the unit's name.
        case unitURLs(units: SpeechUnits, url: @Sendable (_ sessionId: String, _ name: String) -> String)
    }

    let player: Player
    private var sequenceNumber = 0
    /// Kept from chunk to chunk of the same rate, so speech resampled in chunks has no clicks.
    private var resampler: LinearResampler?
    /// The final caption of each unit whose speech has not come yet.
    private var captions: [Int: String] = [:]
    /// The unit whose speech is arriving, and the chunk it started with.
    private var unit: (segmentId: Int, sampleRate: Int, samples: [Int16], firstChunk: Int)?

    init(player: Player) {
        self.player = player
    }

    /// The frames to write in place of `text`.
    mutating func frames(for text: String) async -> [String] {
        guard let message = try? ServerMessage.decode(text) else { return [text] }
        switch (message.body, player) {
        case (.audioData(let audio), .pcmMessages):
            return [audioFrame(audio, sessionId: message.sessionId)]
        case (.audioData(let audio), .wavMessages):
            return wavFrame(audio, of: message).map { [$0] } ?? []
        case (.audioData(let audio), .unitURLs(let units, let url)):
            return await unitFrame(audio, sessionId: message.sessionId, units: units, url: url).map { [$0] } ?? []
        case (.transcript(let caption), .unitURLs) where caption.isFinal:
            // Units are spoken in order: captions of earlier units are no longer needed.
            captions = captions.filter { $0.key > caption.segmentId - 16 }
            captions[caption.segmentId] = caption.text
            return [text]
        case (.broadcastPaused, .pcmMessages), (.broadcastPaused, .wavMessages):
            return [text, LegacyServerMessage(body: .sessionPaused, sessionId: message.sessionId).encoded()]
        case (.broadcastResumed, .pcmMessages), (.broadcastResumed, .wavMessages):
            return [text, LegacyServerMessage(body: .sessionResumed, sessionId: message.sessionId).encoded()]
        default:
            return [text]
        }
    }

    private mutating func audioFrame(_ audio: AudioData, sessionId: String?) -> String {
        var samples = Self.samples(of: audio)
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

    /// A live voice (the floor, an interpreter) has no units and never a last chunk: it is cut into
    /// pieces of about this long (seconds). Shorter pieces come sooner but cost the app a fetch each.
    static let livePiece = 2.0

    /// A gathered unit of speech, and the name under which listeners of its language share its
    /// file (`nil`: this connection's alone).
    typealias GatheredUnit = (segmentId: Int, wav: WAVFile, sharedAs: String?)

    /// Adds a chunk to the unit it belongs to; the unit's WAV file once its last chunk came. A
    /// unit whose first chunks this connection missed (it joined, or was too slow) is made of what
    /// it got.
    ///
    /// A live voice's piece ends at a chunk number that is a multiple of about `livePiece` worth of
    /// its chunks, so every listener of the language cuts the same pieces and shares their files
    /// (kept for ten minutes, they would otherwise cost as many copies as listeners); the first
    /// piece of a listener who joined in the middle of one is its own.
    private mutating func gather(_ audio: AudioData) -> GatheredUnit? {
        let samples = Self.samples(of: audio)
        if let unit, unit.segmentId == audio.segmentId, unit.sampleRate == audio.sampleRate {
            self.unit?.samples += samples
        } else {
            unit = (audio.segmentId, audio.sampleRate, samples, audio.chunkIndex)
        }
        guard let unit, !unit.samples.isEmpty else { return nil }
        let sharedAs: String?
        if audio.voice == .machine {
            guard audio.isLastChunk else { return nil }
            sharedAs = "segment \(unit.segmentId)"
        } else {
            let chunkSeconds = max(Double(samples.count) / Double(audio.sampleRate), 0.001)
            let perPiece = max(1, Int((Self.livePiece / chunkSeconds).rounded()))
            guard audio.chunkIndex % perPiece == 0 else { return nil }
            let whole = audio.chunkIndex - unit.firstChunk + 1 >= perPiece
            sharedAs = whole ? "\(audio.voice) \(audio.chunkIndex)" : nil
        }
        self.unit = nil
        return (unit.segmentId, WAVFile(sampleRate: unit.sampleRate, samples: unit.samples), sharedAs)
    }

    /// A unit of speech as one `audioData` whose `audioData` is a WAV file (`format` `wav`, one
    /// chunk). A live voice (the floor, an interpreter) has no units: each of its chunks is a file.
    private mutating func wavFrame(_ audio: AudioData, of message: ServerMessage) -> String? {
        let unit: GatheredUnit?
        if audio.voice == .machine {
            unit = gather(audio)
        } else {
            let samples = Self.samples(of: audio)
            unit = samples.isEmpty ? nil : (audio.segmentId, WAVFile(sampleRate: audio.sampleRate, samples: samples), nil)
        }
        guard let unit else { return nil }
        var whole = audio
        whole.audioData = Data(unit.wav.encoded()).base64EncodedString()
        whole.format = "wav"
        whole.segmentId = unit.segmentId
        whole.chunkIndex = 0
        whole.isLastChunk = true
        var rewritten = message
        rewritten.body = .audioData(whole)
        return rewritten.encoded()
    }

    /// A unit's `translatedAudio`, once its last chunk came: its WAV file is kept in `units`.
    private mutating func unitFrame(
        _ audio: AudioData, sessionId: String?, units: SpeechUnits, url: (String, String) -> String
    ) async -> String? {
        guard let sessionId, let unit = gather(audio) else { return nil }
        let name = await units.keep(sessionId: sessionId, language: audio.targetLanguage, sharedAs: unit.sharedAs, wav: unit.wav.encoded())
        sequenceNumber += 1
        let translated = TranslatedAudio(
            targetLanguage: audio.targetLanguage, url: url(sessionId, name), transcript: captions[unit.segmentId] ?? "", duration: unit.wav.duration,
            sequenceNumber: sequenceNumber)
        captions[unit.segmentId] = nil
        return LegacyServerMessage(body: .translatedAudio(translated), sessionId: sessionId).encoded()
    }

    /// The PCM of a chunk (this protocol's `audioData`).
    private static func samples(of audio: AudioData) -> [Int16] {
        PCM.samples(fromLittleEndian: Data(base64Encoded: audio.audioData) ?? Data())
    }
}
