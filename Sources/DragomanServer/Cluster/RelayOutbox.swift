import DragomanCore

/// What a node has to share with the other nodes and has not written yet, in order, bounded.
///
/// While PostgreSQL stalls or is down, the queue must neither grow without limit nor lose what
/// matters: a listener count is a snapshot, so only the newest of each session is kept; speech
/// frames are the first given up when it is full (late speech is worth little, and there is
/// most of it); what a failed write did not send goes back in front, in its order.
struct RelayOutbox {
    /// One thing to share.
    enum Item: Sendable {
        case frame(RelayedFrame)
        case listeners(String, [LanguageCode: ListenerTally])
        case event(Int64)
    }

    /// Most items held.
    let capacity: Int
    private(set) var items: [Item] = []
    /// Items given up because the outbox was full.
    private(set) var dropped = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Queues an item; a listener count replaces the session's older one.
    mutating func append(_ item: Item) {
        if case .listeners(let sessionId, _) = item { items.removeAll { $0.isListeners(of: sessionId) } }
        items.append(item)
        trim()
    }

    /// Takes everything queued, to write.
    mutating func takeAll() -> [Item] {
        defer { items.removeAll() }
        return items
    }

    /// Puts back what a failed write did not send, before what was queued meanwhile; a count
    /// queued meanwhile is newer than the one put back.
    mutating func putBack(_ unsent: some Collection<Item>) {
        let newer = items
        items = unsent.filter { item in
            guard case .listeners(let sessionId, _) = item else { return true }
            return !newer.contains { $0.isListeners(of: sessionId) }
        }
        items += newer
        trim()
    }

    /// Over capacity, the oldest speech goes first, then the oldest of anything else.
    private mutating func trim() {
        while items.count > capacity {
            let victim = items.firstIndex(where: \.isSpeech) ?? items.startIndex
            items.remove(at: victim)
            dropped += 1
        }
    }
}

extension RelayOutbox.Item {
    fileprivate func isListeners(of session: String) -> Bool {
        if case .listeners(let sessionId, _) = self { return sessionId == session }
        return false
    }

    fileprivate var isSpeech: Bool {
        guard case .frame(let frame) = self else { return false }
        return frame.audience == .pcmAudio || frame.audience == .opusAudio
    }
}
