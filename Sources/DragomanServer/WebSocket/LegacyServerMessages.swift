import DragomanCore
import Foundation

/// Messages only the replaced design's listener clients read (docs/protocol.md, "Clients of the
/// replaced design"). They are not `ServerMessage`s: Dragoman's own clients never get them.
/// Their `timestamp` is Unix milliseconds, as that design's were.
enum LegacyServerMessage: Sendable, Equatable {
    /// `audio`: speech as the older listener app plays it, PCM s16le mono at 16 kHz.
    case audio(LegacyAudio)
    /// `translatedAudio`: a unit of speech as the current listener app plays it, from a URL.
    case translatedAudio(TranslatedAudio)
    /// `sessionPaused`, `sessionResumed`: what the design's example listeners wait for.
    case sessionPaused(sessionId: String?, timestamp: Int)
    case sessionResumed(sessionId: String?, timestamp: Int)

    /// The JSON text frame.
    func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings and numbers only: encoding cannot fail.
        switch self {
        case .audio(let audio): return String(decoding: try! encoder.encode(audio), as: UTF8.self)
        case .translatedAudio(let unit): return String(decoding: try! encoder.encode(unit), as: UTF8.self)
        case .sessionPaused(let id, let timestamp), .sessionResumed(let id, let timestamp):
            let type = if case .sessionPaused = self { "sessionPaused" } else { "sessionResumed" }
            return String(decoding: try! encoder.encode(Notice(type: type, sessionId: id, timestamp: timestamp)), as: UTF8.self)
        }
    }

    private struct Notice: Encodable {
        var type: String
        var sessionId: String?
        var timestamp: Int
    }
}

/// `{"type":"audio","audioData","format":"pcm","sampleRate","channels","sequenceNumber",…}`.
struct LegacyAudio: Encodable, Sendable, Equatable {
    var type = "audio"
    var sessionId: String?
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
    var timestamp: Int
}

/// `{"type":"translatedAudio","url","transcript","targetLanguage","duration","sequenceNumber",…}`.
struct TranslatedAudio: Encodable, Sendable, Equatable {
    var type = "translatedAudio"
    var sessionId: String
    var targetLanguage: LanguageCode
    /// Where the unit's WAV file is served, until it expires.
    var url: String
    /// The unit's final caption.
    var transcript: String
    /// Seconds of speech.
    var duration: Double
    /// Counts this connection's units, from 1.
    var sequenceNumber: Int
    var timestamp: Int
}
