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

    @Test func aSubRipCueIsOneLineWithoutATimingArrow() {
        let srt = Self.export(Self.awkward).render(.srt)
        #expect(srt == "1\n00:00:01,000 --> 00:00:02,500\nTom & Jerry <b>said</b> that a → b and more\n\n")
    }
}
