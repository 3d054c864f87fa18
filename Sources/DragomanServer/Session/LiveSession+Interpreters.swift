import DragomanCore
import DragomanStore
import Foundation

/// Interpreters: people whose voice replaces the machine's in one language while on the air
/// (docs/protocol.md, "Interpreters"). Who is on the air is decided by `SessionState`; here the
/// changes are announced and voices relayed.
extension LiveSession {
    /// The languages with a person on the air, and who: `voices` of `sessionStatus`.
    var voicesOnAir: [LanguageCode: String] {
        state.interpretersOnAir.mapValues(\.name)
    }

    /// Seats an interpreter and queues its first message, made by `greeting`, before anything
    /// else can reach it. `nil` when the session has ended.
    func attachInterpreter(
        _ connection: ClientConnection, pass: InterpreterPass, muted: Bool, greeting: @Sendable (Snapshot) -> ServerMessage
    ) -> ServerMessage? {
        guard let actions = state.attachInterpreter(connection, pass: pass, muted: muted) else { return nil }
        let message = greeting(Snapshot(status: state.status, broadcastState: state.broadcast, voice: state.voice(of: pass.language)))
        connection.send(message)
        apply(actions)
        return message
    }

    func detachInterpreter(_ connection: ClientConnection) {
        apply(state.detachInterpreter(connection))
    }

    /// Mutes or unmutes an interpreter.
    func setInterpreterMuted(_ muted: Bool, for connection: ClientConnection) {
        apply(state.setInterpreterMuted(muted, for: connection))
    }

    /// An interpreter's voice: relayed to its language's listeners while it is on the air,
    /// dropped otherwise.
    func relayInterpreterAudio(_ samples: [Int16], sampleRate: Int, from connection: ClientConnection) -> Deliveries {
        guard let language = state.languageOnAir(from: connection) else { return .none }
        var channel = interpreterChannels[language] ?? LiveVoiceChannel(language: language, voice: .interpreter)
        let deliveries = relayLiveVoice(samples, sampleRate: sampleRate, through: &channel)
        interpreterChannels[language] = channel
        return deliveries
    }

    /// Closes the connections made with a pass just revoked, here and on the other nodes.
    func revokeInterpreter(passID: String) {
        closeInterpreterConnections(passID: passID)
        relay(.revocation, text: passID)
    }

    /// Closes this node's connections made with a revoked pass.
    func closeInterpreterConnections(passID: String) {
        for connection in state.booths.connections(of: passID) {
            connection.send(.error(ProtocolError(.unauthorized, "The session's speaker revoked this interpreter link."), sessionId: id))
            connection.close(.policyViolation, reason: "interpreter link revoked")
            detachInterpreter(connection)
        }
    }

    /// Which passes are connected, and which of them is on the air.
    func interpreterPresence() -> (connected: Set<String>, onAir: Set<String>) {
        state.interpreterPresence()
    }

    /// Tells the language's listeners, the speakers and the language's interpreters (but the
    /// newcomer, whose first message said it) that its voice changed; a change in this node's
    /// booths is also relayed to the other nodes.
    func announceVoice(_ voice: LanguageVoice, of language: LanguageCode, local: Bool, skipping newcomer: ClientConnection?) {
        // A new interpreter's voice starts a new stream for Opus decoders.
        if local { interpreterChannels[language] = nil }
        let message = ServerMessage(.voiceChanged(VoiceChanged(targetLanguage: language, voice: voice.onAir)), sessionId: id).encoded()
        // The machine speaks the language again, or stops: the pipeline is told.
        apply([.pushAudience])
        for connection in state.listeners.listeners(of: language).keys { connection.send(text: message) }
        for connection in state.speakers { connection.send(text: message) }
        for connection in state.booths.connections(in: language) where connection !== newcomer { connection.send(text: message) }
        if local { relay(.voice, language: language, text: message, interpreter: voice.interpreter) }
    }
}
