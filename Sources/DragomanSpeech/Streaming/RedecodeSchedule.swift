/// When a Wyoming recognition session re-decodes its window for a running hypothesis.
///
/// Whisper has no partial results: each hypothesis is a decode of the whole window heard so far,
/// and a decode costs about the same however short the window (the model pads its input to 30 s).
/// So a decode starts once `interval` samples of new audio have come since the last one started,
/// never while another is under way (on two cores, two decodes at once would each take twice as
/// long and both come late), and when a decode ends after more than `interval` of new audio, the
/// next one starts at once on all the audio heard by then: the snapshots in between, stale by the
/// time they could be decoded, are skipped. A value: each input returns the decode to start.
struct RedecodeSchedule: Sendable, Equatable {
    /// One input, in order.
    enum Input: Sendable, Equatable {
        /// `samples` more samples of the window were heard.
        case heard(samples: Int)
        /// The decode under way ended (with a hypothesis or not).
        case decodeEnded
        /// The window's final pass began: no more re-decodes.
        case finishing
    }

    /// Samples of new audio between the starts of two decodes.
    let interval: Int
    /// A window shorter than this (samples) gives nothing worth showing.
    let shortest: Int
    /// Samples heard in the window.
    private(set) var heard = 0
    /// How many samples of the window the last decode started on covered.
    private(set) var decodedUpTo = 0
    private(set) var isDecoding = false
    private var isFinished = false

    init(interval: Int, shortest: Int) {
        self.interval = max(1, interval)
        self.shortest = shortest
    }

    /// Applies one input; returns how many samples at the start of the window to decode now, or
    /// `nil` when no decode is due.
    mutating func handle(_ input: Input) -> Int? {
        switch input {
        case .heard(let samples): heard += samples
        case .decodeEnded: isDecoding = false
        case .finishing: isFinished = true
        }
        guard !isFinished, !isDecoding, heard >= shortest, heard - decodedUpTo >= interval else { return nil }
        isDecoding = true
        decodedUpTo = heard
        return heard
    }
}
