import Foundation

/// What Transcribe has sent of one stream: its results, in order. A result comes again and again,
/// revised, while it is partial, and a last time when final; the next one follows as speech goes on.
struct TranscribeResults: Sendable {
    private var finals: [String] = []
    private var pending: String?

    /// Takes in a message from Transcribe: a `TranscriptEvent`'s results; any other event is
    /// ignored.
    /// - Throws: the ``AmazonTranscribeError`` of an exception, or why a transcript is unreadable.
    mutating func take(_ message: AWSEventStreamMessage) throws {
        if let error = AmazonTranscribeError(message) { throw error }
        guard message[header: ":event-type"]?.stringValue == "TranscriptEvent" else { return }
        for result in try JSONDecoder().decode(TranscriptEvent.self, from: Data(message.payload)).transcript.results {
            let text = result.alternatives.first?.transcript.split(whereSeparator: \.isWhitespace).joined(separator: " ") ?? ""
            if result.isPartial {
                pending = text
            } else {
                if !text.isEmpty { finals.append(text) }
                pending = nil
            }
        }
    }

    /// The stretch of speech as heard so far, the final results and the one still partial;
    /// `nil` before anything was heard.
    var partial: String? {
        let text = (finals + [pending ?? ""]).filter { !$0.isEmpty }.joined(separator: " ")
        return text.isEmpty ? nil : text
    }

    /// The final results.
    var final: String { finals.joined(separator: " ") }
}

/// The payload of a `TranscriptEvent`, as far as Dragoman reads it.
private struct TranscriptEvent: Decodable {
    struct Transcript: Decodable {
        var results: [Result]
        enum CodingKeys: String, CodingKey { case results = "Results" }
    }

    struct Result: Decodable {
        var alternatives: [Alternative]
        var isPartial: Bool
        enum CodingKeys: String, CodingKey {
            case alternatives = "Alternatives"
            case isPartial = "IsPartial"
        }
    }

    struct Alternative: Decodable {
        var transcript: String
        enum CodingKeys: String, CodingKey { case transcript = "Transcript" }
    }

    var transcript: Transcript
    enum CodingKeys: String, CodingKey { case transcript = "Transcript" }
}
