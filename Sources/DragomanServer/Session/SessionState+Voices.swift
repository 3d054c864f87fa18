import DragomanCore
import DragomanStore

/// Whose voice each language has: the speaker's in the session's own language, an interpreter on
/// the air here or on another node, or the machine (docs/protocol.md, "Interpreters").
extension SessionState {
    /// Whose voice `language` has now.
    func voice(of language: LanguageCode) -> LanguageVoice {
        guard language != sourceLanguage else { return .floor }
        return LanguageVoice(interpreter: booths.onAir(in: language)?.pass ?? remoteVoices[language])
    }

    /// The interpreters on the air, here or on other nodes, by language.
    var interpretersOnAir: [LanguageCode: InterpreterPass] {
        var voices: [LanguageCode: InterpreterPass] = [:]
        for language in booths.languages.union(remoteVoices.keys) {
            if let interpreter = voice(of: language).interpreter { voices[language] = interpreter }
        }
        return voices
    }

    /// Seats an interpreter; `nil` when the session has ended. Its first message says whose voice
    /// is on the air, so the change is not announced to it again.
    mutating func attachInterpreter(_ connection: ClientConnection, pass: InterpreterPass, muted: Bool) -> [SessionAction]? {
        guard status != .ended else { return nil }
        return changingBooth(of: pass.language, skipping: connection) { $0.seat(connection, pass: pass, muted: muted) }
    }

    mutating func detachInterpreter(_ connection: ClientConnection) -> [SessionAction] {
        guard let language = booths[connection]?.pass.language else { return [] }
        return changingBooth(of: language) { $0.unseat(connection) }
    }

    mutating func setInterpreterMuted(_ muted: Bool, for connection: ClientConnection) -> [SessionAction] {
        guard let language = booths[connection]?.pass.language else { return [] }
        return changingBooth(of: language) { $0.setMuted(muted, for: connection) }
    }

    /// The language whose listeners hear this connection now: an interpreter's on the air.
    func languageOnAir(from connection: ClientConnection) -> LanguageCode? {
        guard let language = booths[connection]?.pass.language, booths.onAir(in: language)?.connection === connection else { return nil }
        return language
    }

    /// A voice change of an interpreter connected to another node; this node may have learnt of
    /// it already from that node's listener counts.
    mutating func setRemoteVoice(_ interpreter: InterpreterPass?, language: LanguageCode) -> [SessionAction] {
        let before = voice(of: language)
        remoteVoices[language] = interpreter
        let now = voice(of: language)
        return now == before ? [] : [.announceVoice(language, now, local: false, skipping: nil)]
    }

    /// Brings the other nodes' voices in line with what those nodes report on the air: a node
    /// that loaded the session after an interpreter went on the air learns of it, and the
    /// interpreter of a node that died (whose counts expired) gives the language back to the
    /// machine. Only this node's connections are told: every node reconciles for itself.
    mutating func reconcileRemoteVoices() -> [SessionAction] {
        let claimed = remoteListeners.filter { !$0.value.interpretersOnAir.isEmpty }.keys
        var actions: [SessionAction] = []
        for language in Set(remoteVoices.keys).union(claimed) {
            let onAir = remoteListeners[language]?.interpretersOnAir ?? []
            if let current = remoteVoices[language], onAir.contains(where: { $0.id == current.id }) { continue }
            actions += setRemoteVoice(onAir.first, language: language)
        }
        return actions
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

    /// A change in this node's booths: the other nodes learn of this node's interpreters (always,
    /// as they read who is on the air from it), and everyone concerned learns of a new voice.
    private mutating func changingBooth(
        of language: LanguageCode, skipping newcomer: ClientConnection? = nil, _ change: (inout InterpreterBooths) -> Void
    ) -> [SessionAction] {
        let before = voice(of: language)
        change(&booths)
        let now = voice(of: language)
        return [.reportListeners] + (now == before ? [] : [.announceVoice(language, now, local: true, skipping: newcomer)])
    }
}
