import DragomanCore

/// What a pipeline emits, on one stream, for its session to publish: it never calls the session.
enum PipelineOutput: Sendable {
    /// A caption of a segment in `language`, as `text`.
    case caption(Caption, language: LanguageCode, text: String)
    /// A chunk of synthesized speech, at the pace it is played.
    case speech(SpeechChunk)
    /// The store refused a part of the transcript; it is published anyway, held and retried.
    case storageHeld
    /// An engine failed; the pipeline goes on with the next segment.
    case failure(stage: String, error: any Error)
    /// The segment under way when `flush` with this number came is finished and published.
    case flushed(Int)
}
