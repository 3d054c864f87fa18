import DragomanCore
import Foundation

/// A message only the replaced design's apps read (docs/protocol.md, "Clients of the replaced
/// design"): not a `ServerMessage`, so Dragoman's own clients never get one. `type`, `sessionId`
/// and `timestamp` (Unix milliseconds, as that design's were) beside the fields of its body.
struct LegacyServerMessage: Encodable {
    enum Body {
        /// `audio`: speech as the older listener app plays it, PCM s16le mono at 16 kHz.
        case audio(LegacyAudio)
        /// `translatedAudio`: a unit of speech as the current listener app plays it, from a URL.
        case translatedAudio(TranslatedAudio)
        /// `audioQualityWarning`: to the speaker app.
        case audioQualityWarning(AudioQualityWarning)
        /// `sessionPaused`, `sessionResumed`: what the design's example listeners wait for.
        case sessionPaused, sessionResumed
    }

    var body: Body
    var sessionId: String?
    var timestamp = UnixTime.milliseconds

    private enum EnvelopeKey: String, CodingKey {
        case type, sessionId, timestamp
    }

    func encode(to encoder: any Encoder) throws {
        let type: String
        switch body {
        case .audio(let audio):
            type = "audio"
            try audio.encode(to: encoder)
        case .translatedAudio(let unit):
            type = "translatedAudio"
            try unit.encode(to: encoder)
        case .audioQualityWarning(let warning):
            type = "audioQualityWarning"
            try warning.encode(to: encoder)
        case .sessionPaused: type = "sessionPaused"
        case .sessionResumed: type = "sessionResumed"
        }
        var container = encoder.container(keyedBy: EnvelopeKey.self)
        try container.encode(type, forKey: .type)
        try container.encodeIfPresent(sessionId, forKey: .sessionId)
        try container.encode(timestamp, forKey: .timestamp)
    }

    /// The JSON text frame.
    func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings and numbers only: encoding cannot fail.
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }
}

/// `audio`: `{"audioData","format":"pcm","sampleRate","channels","sequenceNumber",…}`.
struct LegacyAudio: Encodable {
    /// Base64 PCM s16le mono.
    var audioData: String
    var format = "pcm"
    var sampleRate: Int
    var channels = 1
    /// Counts this connection's chunks, from 1.
    var sequenceNumber: Int
    /// `segmentId-chunkIndex` of the chunk it was made from.
    var chunkId: String
    /// Seconds of speech.
    var duration: Double
    var targetLanguage: LanguageCode
}

/// `translatedAudio`: `{"url","transcript","targetLanguage","duration","sequenceNumber"}`.
struct TranslatedAudio: Encodable {
    var targetLanguage: LanguageCode
    /// Where the unit's WAV file is served, until it expires.
    var url: String
    /// The unit's final caption.
    var transcript: String
    /// Seconds of speech.
    var duration: Double
    /// Counts this connection's units, from 1.
    var sequenceNumber: Int
}
