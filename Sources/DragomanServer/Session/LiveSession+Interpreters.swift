import DragomanCore
import DragomanStore
import Foundation

/// Interpreters: people whose voice replaces the machine's in one language while on the air
/// (docs/protocol.md, "Interpreters").
extension LiveSession {
    /// Whose voice `language` has now: the speaker's in the session's own language; otherwise an
    /// interpreter on the air here or on another node, or the machine.
    func voice(of language: LanguageCode) -> LanguageVoice {
        guard language != record.sourceLanguage else { return .floor }
        return LanguageVoice(interpreter: booths.onAir(in: language)?.pass ?? remoteVoices[language])
    }

    /// The languages with a person on the air, and who: `voices` of `sessionStatus`.
    var voicesOnAir: [LanguageCode: String] {
        var voices: [LanguageCode: String] = [:]
        for language in booths.languages.union(remoteVoices.keys) {
            if let interpreter = voice(of: language).interpreter { voices[language] = interpreter.name }
        }
        return voices
    }

    /// Seats an interpreter and queues its first message, made by `greeting`, before anything
    /// else can reach it. `nil` when the session has ended.
    func attachInterpreter(
        _ connection: ClientConnection, pass: InterpreterPass, muted: Bool, greeting: @Sendable (Snapshot) -> ServerMessage
    ) -> ServerMessage? {
        guard status != .ended else { return nil }
        let before = voice(of: pass.language)
        booths.seat(connection, pass: pass, muted: muted)
        let message = greeting(Snapshot(status: status, broadcastState: broadcast, voice: voice(of: pass.language)))
        connection.send(message)
        // Its first message already says whose voice is on the air.
        announceVoice(of: pass.language, ifChangedFrom: before, skipping: connection)
        return message
    }

    func detachInterpreter(_ connection: ClientConnection) {
        guard let language = booths[connection]?.pass.language else { return }
        let before = voice(of: language)
        booths.unseat(connection)
        announceVoice(of: language, ifChangedFrom: before)
    }

    /// Mutes or unmutes an interpreter.
    func setInterpreterMuted(_ muted: Bool, for connection: ClientConnection) {
        guard let seat = booths[connection] else { return }
        let before = voice(of: seat.pass.language)
        booths.setMuted(muted, for: connection)
        announceVoice(of: seat.pass.language, ifChangedFrom: before)
    }

    /// An interpreter's voice: relayed to its language's listeners while it is on the air,
    /// dropped otherwise.
    func relayInterpreterAudio(_ samples: [Int16], sampleRate: Int, from connection: ClientConnection) -> Deliveries {
        guard let language = booths[connection]?.pass.language, booths.onAir(in: language)?.connection === connection else { return .none }
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
        for connection in booths.connections(of: passID) {
            connection.send(.error(ProtocolError(.unauthorized, "The session's speaker revoked this interpreter link."), sessionId: id))
            connection.close(.policyViolation, reason: "interpreter link revoked")
            detachInterpreter(connection)
        }
    }

    /// Which passes are connected, and which of them is on the air: here, and those on the air on
    /// other nodes (of another node's interpreters, a node knows only which one is on the air).
    func interpreterPresence() -> (connected: Set<String>, onAir: Set<String>) {
        var onAir = Set(remoteVoices.values.map(\.id))
        var connected = onAir
        for connection in booths.connections {
            guard let pass = booths[connection]?.pass else { continue }
            connected.insert(pass.id)
            if booths.onAir(in: pass.language)?.connection === connection { onAir.insert(pass.id) }
        }
        return (connected, onAir)
    }

    /// After a change in this node's booths: tells the language's listeners, the speakers and the
    /// language's interpreters, here and on the other nodes, when its voice changed.
    private func announceVoice(of language: LanguageCode, ifChangedFrom before: LanguageVoice, skipping newcomer: ClientConnection? = nil) {
        // Stored before the change is relayed, so a node that reads who is on the air after
        // receiving it (`reconcileRemoteVoices`) reads it too.
        cluster?.reportListeners(of: id, localTally)
        let now = voice(of: language)
        guard now != before else { return }
        // A new interpreter's voice starts a new stream for Opus decoders.
        interpreterChannels[language] = nil
        let message = voiceChangedMessage(now, language: language)
        sendVoiceChange(message, language: language, skipping: newcomer)
        relay(.voice, language: language, text: message, interpreter: now.interpreter)
    }

    private func voiceChangedMessage(_ voice: LanguageVoice, language: LanguageCode) -> String {
        ServerMessage(.voiceChanged(VoiceChanged(targetLanguage: language, voice: voice.onAir)), sessionId: id).encoded()
    }

    private func sendVoiceChange(_ message: String, language: LanguageCode, skipping newcomer: ClientConnection? = nil) {
        // The machine speaks the language again, or stops: the pipeline is told.
        pushAudience()
        for connection in listeners.listeners(of: language).keys { connection.send(text: message) }
        for connection in speakers { connection.send(text: message) }
        for connection in booths.connections(in: language) where connection !== newcomer { connection.send(text: message) }
    }

    /// A voice change of an interpreter connected to another node (`interpreter`, `nil` when the
    /// machine speaks again); this node may have learnt of it already from that node's listener counts.
    func deliverRemoteVoice(_ message: String, language: LanguageCode, interpreter: InterpreterPass?) {
        let before = voice(of: language)
        remoteVoices[language] = interpreter
        guard voice(of: language) != before else { return }
        sendVoiceChange(message, language: language)
    }

    /// Brings the other nodes' voices in line with what those nodes report on the air: a node
    /// that loaded the session after an interpreter went on the air learns of it, and the
    /// interpreter of a node that died (whose counts expired) gives the language back to the
    /// machine. Only this node's connections are told: every node reconciles for itself.
    func reconcileRemoteVoices() {
        let claimed = remoteListeners.filter { !$0.value.interpretersOnAir.isEmpty }.keys
        for language in Set(remoteVoices.keys).union(claimed) {
            let onAir = remoteListeners[language]?.interpretersOnAir ?? []
            if let current = remoteVoices[language], onAir.contains(where: { $0.id == current.id }) { continue }
            let before = voice(of: language)
            remoteVoices[language] = onAir.first
            let now = voice(of: language)
            guard now != before else { continue }
            sendVoiceChange(voiceChangedMessage(now, language: language), language: language)
        }
    }
}
