import DragomanCore

/// What a session pushes into its pipeline, in the order it happens: the pipeline acts on each in
/// turn, so a pause applies to the audio after it, never to the audio before.
enum PipelineInput: Sendable {
    /// A chunk of the speaker's PCM at `sampleRate`.
    case audio([Int16], sampleRate: Int)
    /// Pause and mute stop the flow (the segment under way is finished first); new audio is
    /// ignored until it flows again.
    case flowing(Bool)
    /// Who listens now: pushed whenever it changes, never asked for.
    case audience(PipelineAudience)
    /// Finish the segment under way (the speaker dropped, the session ends), then emit `flushed`
    /// with the same number.
    case flush(Int)
    /// The server is stopping: finish the segment under way, let every language translate, store,
    /// publish and speak what it was given, and end.
    case drain
}

/// The listeners of a session as its pipeline needs them: the languages to translate, the speech
/// formats each wants, and the speaker's volume.
struct PipelineAudience: Sendable, Equatable {
    /// Every target language with a listener here or on another node, and the formats its
    /// listeners want speech in: empty for captions only, or while a person speaks the language.
    var languages: [LanguageCode: Set<ListenerAudioFormat>] = [:]
    /// The speaker's volume, which synthesized speech is scaled by before it is encoded.
    var volume = 1.0
}
