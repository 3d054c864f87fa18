import DragomanCore
import DragomanStore
import Testing

@testable import DragomanServer

/// Subtitle files stay valid whatever a caption says.
@Suite("Transcript export")
struct TranscriptExportTests {
    static func export(_ text: String) -> TranscriptExport {
        let segment = TranscriptSegment(
            sessionId: "export", index: 1, startTime: 1, endTime: 2.5, sourceLanguage: LanguageCode("en")!, sourceText: text)
        return TranscriptExport(sessionId: "export", language: LanguageCode("en")!, segments: [segment])
    }

    static let awkward = "Tom & Jerry <b>said</b>\n\nthat a --> b\r\nand more"

    @Test func aWebVTTCueIsOneLineOfEscapedText() {
        let vtt = Self.export(Self.awkward).render(.vtt)
        #expect(vtt == "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.500\nTom &amp; Jerry &lt;b&gt;said&lt;/b&gt; that a → b and more\n\n")
    }

    /// Units as the pipeline stores them: each starts where the one before it ended, unless a
    /// segment ended at a pause between them.
    static func units(_ parts: [(start: Double, end: Double, text: String)]) -> TranscriptExport {
        let segments = parts.enumerated().map { index, part in
            TranscriptSegment(
                sessionId: "export", index: index + 1, startTime: part.start, endTime: part.end, sourceLanguage: LanguageCode("en")!,
                sourceText: part.text)
        }
        return TranscriptExport(sessionId: "export", language: LanguageCode("en")!, segments: segments)
    }

    @Test func unitsOfOneSentenceAreOneCueAndOneLine() {
        let export = Self.units([
            (1, 2.5, "the budget for next year"), (2.5, 4, "has three new parks"), (4.75, 6, "thank you"),
        ])
        #expect(
            export.render(.srt)
                == "1\n00:00:01,000 --> 00:00:04,000\nthe budget for next year has three new parks\n\n2\n00:00:04,750 --> 00:00:06,000\nthank you\n\n")
        #expect(
            export.render(.vtt)
                == "WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\nthe budget for next year has three new parks\n\n2\n00:00:04.750 --> 00:00:06.000\nthank you\n\n"
        )
        #expect(export.render(.txt) == "the budget for next year has three new parks\nthank you\n")
    }

    @Test func punctuationEndsASentenceBetweenAbuttingUnits() {
        let export = Self.units([(1, 2, "Welcome, everyone."), (2, 3, "Tonight we have"), (3, 4, "four items!\""), (4, 5, "First")])
        #expect(export.render(.txt) == "Welcome, everyone.\nTonight we have four items!\"\nFirst\n")
    }

    @Test func theJSONFormKeepsEveryStoredSegment() throws {
        let json = Self.units([(1, 2.5, "the budget"), (2.5, 4, "for next year")]).render(.json)
        #expect(json.contains("\"segmentId\":1") && json.contains("\"segmentId\":2"))
    }

    @Test func aSubRipCueIsOneLineWithoutATimingArrow() {
        let srt = Self.export(Self.awkward).render(.srt)
        #expect(srt == "1\n00:00:01,000 --> 00:00:02,500\nTom & Jerry <b>said</b> that a → b and more\n\n")
    }
}
