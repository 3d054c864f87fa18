import DragomanCore
import DragomanStore
import Foundation

/// A session's transcript in one language, as a file to download; its JSON form is
/// `{"sessionId","language","segments":[…]}`, one entry per stored segment.
///
/// The text forms (txt, WebVTT, SubRip) are read by people: there a sentence that was committed
/// unit by unit while it was spoken (issue 17) is put back together, one line or cue a sentence.
struct TranscriptExport: Encodable {
    enum Format: String, CaseIterable {
        case json, txt, vtt, srt

        var contentType: String {
            switch self {
            case .json: "application/json"
            case .txt: "text/plain; charset=utf-8"
            case .vtt: "text/vtt; charset=utf-8"
            case .srt: "application/x-subrip; charset=utf-8"
            }
        }
    }

    /// One caption: the segment's text in the chosen language, with its times.
    struct Line: Encodable {
        var segmentId: Int
        var startTime: Double
        var endTime: Double
        var text: String
        var sourceText: String
    }

    let sessionId: String
    let language: LanguageCode
    let lines: [Line]

    private enum CodingKeys: String, CodingKey {
        case sessionId, language
        case lines = "segments"
    }

    /// The segments that have text in `language` (a language without listeners at the time of a
    /// segment was not translated, so it has no line for it).
    init(sessionId: String, language: LanguageCode, segments: [TranscriptSegment]) {
        self.sessionId = sessionId
        self.language = language
        self.lines = segments.compactMap { segment in
            segment.text(in: language).map {
                Line(segmentId: segment.index, startTime: segment.startTime, endTime: segment.endTime, text: $0, sourceText: segment.sourceText)
            }
        }
    }

    /// The lines joined into sentences: a line is continued by the next one when the next starts
    /// where it ended (a unit committed while the speaker talked on, or a segment cut at its
    /// maximum length) and neither its text nor its source text ends a sentence. A pause between
    /// segments always ends one, since recognizers without punctuation mark sentences no other way.
    var sentences: [Line] {
        var joined: [Line] = []
        for line in lines {
            if let last = joined.last, Self.continues(last, with: line) {
                joined[joined.count - 1].endTime = line.endTime
                joined[joined.count - 1].text += " " + line.text
                joined[joined.count - 1].sourceText += " " + line.sourceText
            } else {
                joined.append(line)
            }
        }
        return joined
    }

    /// Units of one stretch of speech abut exactly (one ends on the sample the next starts on);
    /// the tolerance only absorbs rounding.
    private static func continues(_ line: Line, with next: Line) -> Bool {
        abs(next.startTime - line.endTime) < 0.001 && !endsSentence(line.text) && !endsSentence(line.sourceText)
    }

    private static func endsSentence(_ text: String) -> Bool {
        guard let mark = text.trimmingCharacters(in: .whitespacesAndNewlines).last(where: { !"\"'»”)]".contains($0) }) else { return false }
        return ".?!…。？！".contains(mark)
    }

    func render(_ format: Format) -> String {
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            // Strings and numbers only: encoding cannot fail.
            return String(decoding: try! encoder.encode(self), as: UTF8.self)
        case .txt:
            return sentences.map { $0.text + "\n" }.joined()
        case .vtt:
            return "WEBVTT\n\n" + cues(separator: ".")
        case .srt:
            return cues(separator: ",")
        }
    }

    private func cues(separator: String) -> String {
        sentences.enumerated().map { number, line in
            let text = Self.cueText(line.text, markup: separator == ".")
            return "\(number + 1)\n\(Self.timestamp(line.startTime, separator)) --> \(Self.timestamp(line.endTime, separator))\n\(text)\n\n"
        }.joined()
    }

    /// A caption as the text of one cue: on one line (a blank line would end the cue early), with
    /// no `-->` (which starts a cue's timing), and for WebVTT (`markup`) with `&`, `<` and `>`
    /// written as entities, so a caption is shown as it was said and never read as a tag.
    static func cueText(_ text: String, markup: Bool) -> String {
        var line = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .joined(separator: " ")
        line = line.replacingOccurrences(of: "-->", with: "→")
        guard markup else { return line }
        return line.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// `00:01:02.345` (WebVTT) or `00:01:02,345` (SubRip).
    static func timestamp(_ seconds: Double, _ separator: String) -> String {
        let milliseconds = Int((max(0, seconds) * 1000).rounded())
        let (hours, rest) = milliseconds.quotientAndRemainder(dividingBy: 3_600_000)
        let (minutes, rest2) = rest.quotientAndRemainder(dividingBy: 60_000)
        let (secs, millis) = rest2.quotientAndRemainder(dividingBy: 1000)
        return String(format: "%02d:%02d:%02d%@%03d", hours, minutes, secs, separator, millis)
    }
}
