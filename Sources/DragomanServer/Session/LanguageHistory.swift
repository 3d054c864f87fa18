/// The last final captions of one language stream, each with its `sequence`, so a listener who
/// reconnects with the last sequence it saw gets what it missed (Centrifugo's history and
/// recovery, with the session's `epoch` telling whether its sequences are still the same stream).
struct LanguageHistory {
    private var frames: [(sequence: Int, frame: String)] = []
    /// The sequence of the newest caption no longer held; 0 while none has been let go.
    private var forgottenThrough = 0
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    mutating func append(sequence: Int, frame: String) {
        frames.append((sequence, frame))
        guard frames.count > capacity else { return }
        let forgotten = frames.removeFirst()
        forgottenThrough = forgotten.sequence
    }

    /// The frames after `sequence`, or `nil` when some of them are no longer held.
    /// `latest` is the last sequence the stream gave out (captions and audio share the count).
    func frames(after sequence: Int, latest: Int) -> [String]? {
        guard sequence >= forgottenThrough, sequence <= latest else { return nil }
        return frames.filter { $0.sequence > sequence }.map(\.frame)
    }
}
