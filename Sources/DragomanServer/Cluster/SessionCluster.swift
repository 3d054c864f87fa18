import DragomanCore
import DragomanStore

/// What a node shares with the other nodes serving the same sessions. A single node has none
/// (`LiveSession.cluster` is `nil`) and pays nothing for it; on PostgreSQL it is `PostgresCluster`.
protocol SessionCluster: Sendable {
    /// Takes the lease that makes this node the one running the session's pipeline (the node its
    /// speaker is connected to); `false` while another node holds it.
    func acquireSpeakerLease(for sessionId: String) async -> Bool
    func releaseSpeakerLease(for sessionId: String) async
    /// Queues a frame this node sent its own listeners for the listeners of the other nodes; returns
    /// at once, and one node's frames go out in the order they were queued.
    func relay(_ frame: RelayedFrame)
    /// Queues this node's listeners of a session, by language.
    func reportListeners(of sessionId: String, _ tally: [LanguageCode: ListenerTally])
    /// Reads the listeners of a session on the other live nodes, by language, and hands them to
    /// `LiveSession.setRemoteListeners`.
    func refreshRemoteListeners(of session: LiveSession) async
    /// Tells the other nodes this one appended a lifecycle event to the shared log.
    func announceEvent(_ sequence: Int64)
    /// Delivers what the other nodes relay to the sessions `registry` holds, and their events to
    /// `events`, until cancelled.
    func run(delivering registry: SessionRegistry, events: EventBus) async throws
}

/// One frame for a session's listeners on other nodes, already encoded by the node that made it.
package struct RelayedFrame: Sendable, Equatable {
    /// Which of a session's listeners it is for.
    package enum Audience: Int16, Sendable {
        /// Every listener (broadcast changes, the speaker's presence).
        case everyone = 0
        /// Listeners of `language`: a `transcript` caption.
        case caption = 1
        /// Listeners of `language` who listen in PCM: an `audioData` message.
        case pcmAudio = 2
        /// Listeners of `language` who listen in Opus: a binary frame.
        case opusAudio = 3
        /// Every connection: `sessionEnded`; the session is over on every node.
        case sessionEnded = 4
        /// `voiceChanged` of `language`: for its listeners, the speakers and its interpreters; the
        /// node running the pipeline holds the machine's speech back while a person is on the air.
        case voice = 5
        /// An interpreter credential was revoked: its connections are closed on every node. The
        /// payload is the credential's id, not JSON.
        case revocation = 6
    }

    package var sessionId: String
    package var audience: Audience
    /// The language it is for; empty for `everyone`, `sessionEnded` and `revocation`.
    package var language: String
    /// The frame's place in its language's stream; 0 where it has none.
    package var sequence: Int
    /// The frame: UTF-8 JSON text, or the bytes of a binary frame.
    package var payload: [UInt8]

    package init(sessionId: String, audience: Audience, language: String, sequence: Int, payload: [UInt8]) {
        self.sessionId = sessionId
        self.audience = audience
        self.language = language
        self.sequence = sequence
        self.payload = payload
    }
}

/// How many listeners of one language a node has, how many of them want speech in each format,
/// and which interpreter of the language it has on the air.
struct ListenerTally: Sendable, Equatable {
    var listeners = 0
    var pcmListeners = 0
    var opusListeners = 0
    /// One per node at most; summed over nodes, ordered by id.
    var interpretersOnAir: [InterpreterPass] = []
}
