import DragomanCore

/// One final segment of a session: what the speaker said and its translations.
public struct TranscriptSegment: Sendable, Equatable {
    public var sessionId: String
    /// Position in the session, from 1.
    public var index: Int
    /// Seconds of session audio at which the speech started and ended.
    public var startTime: Double
    public var endTime: Double
    public var sourceLanguage: LanguageCode
    public var sourceText: String
    /// The text in each language it was translated into.
    public var translations: [LanguageCode: String]

    public init(
        sessionId: String, index: Int, startTime: Double, endTime: Double, sourceLanguage: LanguageCode, sourceText: String,
        translations: [LanguageCode: String] = [:]
    ) {
        self.sessionId = sessionId
        self.index = index
        self.startTime = startTime
        self.endTime = endTime
        self.sourceLanguage = sourceLanguage
        self.sourceText = sourceText
        self.translations = translations
    }

    /// The text in `language`: the source text for the source language, else its translation.
    public func text(in language: LanguageCode) -> String? {
        language == sourceLanguage ? sourceText : translations[language]
    }
}
