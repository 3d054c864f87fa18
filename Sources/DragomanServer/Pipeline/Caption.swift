import DragomanCore
import DragomanStore

/// A caption of one segment, before it is put into a listener's language.
struct Caption: Sendable {
    var segmentIndex: Int
    var sourceText: String
    var isFinal: Bool
    /// Seconds of session audio.
    var startTime: Double
    var endTime: Double

    init(segmentIndex: Int, sourceText: String, isFinal: Bool, startTime: Double, endTime: Double) {
        self.segmentIndex = segmentIndex
        self.sourceText = sourceText
        self.isFinal = isFinal
        self.startTime = startTime
        self.endTime = endTime
    }

    init(segment: TranscriptSegment, isFinal: Bool) {
        self.init(segmentIndex: segment.index, sourceText: segment.sourceText, isFinal: isFinal, startTime: segment.startTime, endTime: segment.endTime)
    }

    /// The `transcript` message carrying it in `language` as `text`.
    func message(sessionId: String, language: LanguageCode, text: String, sequence: Int) -> ServerMessage {
        ServerMessage(
            .transcript(
                Transcript(
                    targetLanguage: language, text: text, sourceText: sourceText, isFinal: isFinal, segmentId: segmentIndex, sequence: sequence,
                    startTime: startTime, endTime: endTime, publishedAt: UnixTime.milliseconds)),
            sessionId: sessionId)
    }
}
