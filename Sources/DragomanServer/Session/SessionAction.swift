import DragomanCore

/// What `LiveSession` must do after an input to its `SessionState`.
enum SessionAction: Equatable {
    /// A step of the lifecycle: publish a transition, start or cancel the grace period, close.
    case lifecycle(SessionLifecycle.Action)
    /// Tell the other nodes this node's listeners and interpreters on the air.
    case reportListeners
    /// Tell the pipeline who listens now (languages, formats, volume).
    case pushAudience
    /// Send a `sessionStatus` to the speakers.
    case sendStatus(StatusUpdateReason)
    /// A language's voice changed: tell its listeners and interpreters and the speakers (the
    /// newcomer `skipping` knows it already). `local` when it changed in this node's booths: the
    /// voice's stream starts anew and the other nodes are told.
    case announceVoice(LanguageCode, LanguageVoice, local: Bool, skipping: ClientConnection?)
}
