import DragomanCore

/// The listeners of a session, indexed by language, so a message of one language is handed to
/// that language's connections without looking at anyone else's.
struct ListenerIndex {
    /// What the session knows of one listener.
    struct Slot {
        var language: LanguageCode
        /// Asked at connect for captions only: its language is not synthesized for it.
        var captionsOnly: Bool
        var audioFormat: ListenerAudioFormat
        var playbackPaused = false

        var wantsAudio: Bool { !captionsOnly && !playbackPaused }
    }

    private var allSlots: [ClientConnection: Slot] = [:]
    private var byLanguage: [LanguageCode: [ClientConnection: Slot]] = [:]

    var count: Int { allSlots.count }
    var isEmpty: Bool { allSlots.isEmpty }
    var connections: Dictionary<ClientConnection, Slot>.Keys { allSlots.keys }
    var slots: Dictionary<ClientConnection, Slot>.Values { allSlots.values }
    var languages: Dictionary<LanguageCode, [ClientConnection: Slot]>.Keys { byLanguage.keys }

    subscript(connection: ClientConnection) -> Slot? { allSlots[connection] }

    /// The listeners of `language` and what each asked for.
    func listeners(of language: LanguageCode) -> [ClientConnection: Slot] {
        byLanguage[language] ?? [:]
    }

    mutating func insert(_ connection: ClientConnection, _ slot: Slot) {
        allSlots[connection] = slot
        byLanguage[slot.language, default: [:]][connection] = slot
    }

    @discardableResult
    mutating func remove(_ connection: ClientConnection) -> Slot? {
        guard let slot = allSlots.removeValue(forKey: connection) else { return nil }
        byLanguage[slot.language]?[connection] = nil
        if byLanguage[slot.language]?.isEmpty == true { byLanguage[slot.language] = nil }
        return slot
    }

    /// Changes what is known of a listener (its language too).
    mutating func update(_ connection: ClientConnection, _ change: (inout Slot) -> Void) {
        guard var slot = remove(connection) else { return }
        change(&slot)
        insert(connection, slot)
    }

    mutating func removeAll() {
        allSlots.removeAll()
        byLanguage.removeAll()
    }
}
