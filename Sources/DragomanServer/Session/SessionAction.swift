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
    /// Queue a frame another node relayed to these connections.
    case deliver(String, to: [ClientConnection])
    /// Queue speech another node relayed to these connections, on their audio queue, which skips
    /// frames a slow reader cannot take.
    case deliverAudio(ClientConnection.Outbound, to: [ClientConnection])
    /// Close this node's connections made with an interpreter pass revoked on another node.
    case closeRevokedInterpreter(passID: String)
    /// The session ended on another node: close every connection here with the frame it sent.
    case closeEnded(String)
}
