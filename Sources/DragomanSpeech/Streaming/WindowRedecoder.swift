/// Running hypotheses for an engine that has none of its own (Whisper, over Wyoming or an
/// OpenAI-compatible API): the window heard so far is decoded again on the ``RedecodeSchedule``,
/// each decode by `decode`, one at a time, and each hypothesis is handed on once, since a
/// committer that read the same decode twice would take it for two that agree.
actor WindowRedecoder {
    private var schedule: RedecodeSchedule
    private let decode: @Sendable ([Int16]) async throws -> String
    /// The window so far.
    private var heard: [Int16] = []
    private var decoding: Task<Void, Never>?
    /// The latest hypothesis, until `hear` hands it on.
    private var unread: String?

    /// The most words a unit holds for a recognizer that re-decodes (its `unitWordLimit`). A word
    /// is settled only once two re-decodes agree on it, about 1.2 s after it is spoken at one
    /// every 0.5 s, while pocketsphinx's are decided by a final pass at the first gap after 6
    /// words: with units of 12 words the first words of a unit waited for the last into a
    /// committed lag p90 of 3.8–4.0 s on continuous talks (Whisper), with 10 3.3–3.5 s, with 8
    /// 2.9–3.2 s but chrF up to 3.1 points below the same words translated a whole sentence at a
    /// time (10: 2.8; docs/BENCHMARKS.md). Whisper's punctuation ends most units sooner anyway.
    static let unitWords = 10

    /// Re-decoding less than this much speech gives nothing worth showing.
    static let shortestWindow = PCM.speechSampleRate / 2

    /// - Parameters:
    ///   - interval: seconds of new audio between the starts of two decodes.
    ///   - decode: decodes a stretch of 16 kHz speech; a decode that fails gives no hypothesis.
    init(interval: Double, decode: @escaping @Sendable ([Int16]) async throws -> String) {
        schedule = RedecodeSchedule(interval: Int(interval * Double(PCM.speechSampleRate)), shortest: Self.shortestWindow)
        self.decode = decode
    }

    /// Adds `samples` to the window, starts a decode if one is due, and returns the latest
    /// hypothesis not yet handed on.
    func hear(_ samples: [Int16]) -> String? {
        heard += samples
        if let count = schedule.handle(.heard(samples: samples.count)) { start(count) }
        defer { unread = nil }
        return unread
    }

    /// No more decodes: the window's final pass begins. A decode under way is cancelled, so that
    /// the final pass does not wait behind one nobody will read.
    func finish() {
        _ = schedule.handle(.finishing)
        decoding?.cancel()
    }

    /// Decodes the first `count` samples of the window.
    private func start(_ count: Int) {
        let snapshot = Array(heard.prefix(count))
        decoding = Task { [decode] in
            let text = try? await decode(snapshot)
            await self.ended(text)
        }
    }

    private func ended(_ text: String?) {
        decoding = nil
        if let text, !text.isEmpty { unread = text }
        if let count = schedule.handle(.decodeEnded) { start(count) }
    }

    deinit {
        decoding?.cancel()
    }
}
