/// Turns a recognizer's running hypotheses into committed units while the speaker is still
/// talking, by local agreement (LocalAgreement-2): a word is stable once two consecutive
/// hypotheses agree on it and on every word before it. Stable words are gathered into a unit,
/// which is committed when it ends: after the words heard before a short pause, at punctuation,
/// or at a word-count limit.
///
/// A pure value: each input returns what it committed and the provisional tail, so the caller
/// decides when to feed it and what to do with the result. Every word the recognizer settles on is
/// committed exactly once, in order: at a unit boundary none is lost or repeated, and a committed
/// unit is never revised, even when a later hypothesis spells its words differently.
public struct StreamingCommitter: Sendable {
    /// How units are cut.
    public struct Configuration: Sendable, Equatable {
        /// A pause at least this long (seconds) ends a unit after the words heard before it.
        public var unitPause = 0.15
        /// A unit is committed once it has this many words, even without a pause or punctuation.
        public var maximumUnitWords = 12
        /// A clause mark (`,` `;` `:`) ends a unit only once the unit has this many words; a
        /// sentence mark (`.` `?` `!`) always does.
        public var minimumClauseWords = 4
        /// The last words of the unstable tail that the provisional text leaves out.
        public var heldBackWords = 2
        /// A gap between words at least this long (seconds) ends a recognizer's window once it
        /// holds `gapCutWords` words not yet committed, for a speaker who runs sentences together
        /// (``endsWindow(afterQuiet:hypothesis:speakerRunsOn:)``). Three 20 ms frames of quiet:
        /// most gaps between phrases last that long, most closures of a stop consonant inside a
        /// word are shorter, and a longer gap comes too seldom (in a speaker who never stops,
        /// a few a minute) to cut units in time.
        public var wordGap = 0.06
        /// How many words not yet committed a window must hold before a gap of `wordGap` ends it:
        /// half the word limit, a clause long enough to translate on its own; the first words of a
        /// unit then wait for about half as many words as they would for the limit.
        public var gapCutWords = 6

        public init() {}
    }

    /// One input, in the order the recognizer produced it.
    public enum Input: Sendable, Equatable {
        /// The recognizer's whole hypothesis for its window (the audio it is decoding now), at
        /// `time` on the caller's clock.
        case hypothesis([String], at: Double)
        /// The speaker has been silent for `duration` seconds up to now, after the words of the last
        /// hypothesis: once they are stable, a unit ends with them. May be reported again as the
        /// pause grows.
        case pause(duration: Double)
        /// The recognizer's final result for its window, at `time`: its window ended. The words
        /// after those committed replace every word not yet committed, the stable ones too (a
        /// final pass knows more than the partials that settled them), and are committed; the
        /// next hypothesis starts a new window.
        case final([String], at: Double)
        /// The recognizer dropped the audio of the first `words` committed words of its window:
        /// its next hypotheses start after them.
        case windowTrimmed(words: Int)
    }

    /// A word of the hypothesis not yet in a unit, with when it first appeared in this form.
    private struct Word: Sendable, Equatable {
        var text: String
        var heardAt: Double
    }

    public let configuration: Configuration
    /// Committed words at the start of the recognizer's window, which its hypotheses repeat.
    private var committedInWindow: [String] = []
    /// Stable words not yet in a unit.
    private var stable: [Word] = []
    /// The rest of the last hypothesis, after the committed and stable words.
    private var unstable: [Word] = []
    /// Where pauses fell, as counts of window words before them, in order: a unit ends there.
    private var pauses: [Int] = []

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Applies one input.
    public mutating func handle(_ input: Input) -> StreamingUpdate {
        var committed: [StreamingUnit] = []
        switch input {
        case .hypothesis(let words, let time):
            agree(on: Array(words.dropFirst(settledCount(of: committedInWindow + stable.map(\.text), in: words))), at: time)
            committed = cutUnits()
        case .pause(let duration):
            let heard = committedInWindow.count + stable.count + unstable.count
            if duration >= configuration.unitPause, heard > committedInWindow.count, pauses.last != heard { pauses.append(heard) }
            committed = cutUnits()
        case .final(let words, let time):
            // The rest is one unit, however long: it is all known now, so cutting it gains no time.
            stable = words.dropFirst(settledCount(of: committedInWindow, in: words)).map { Word(text: $0, heardAt: time) }
            unstable = []
            pauses = []
            committed = commit(stable.count)
            committedInWindow = []
        case .windowTrimmed(let count):
            let dropped = min(count, committedInWindow.count)
            committedInWindow.removeFirst(dropped)
            pauses = pauses.map { $0 - dropped }
        }
        let shown = unstable.dropLast(configuration.heldBackWords)
        return StreamingUpdate(committed: committed, provisional: (stable + shown).map(\.text))
    }

    /// Whether a recognizer that decodes in windows, and is best at a window's end (its final pass
    /// beats its partials), should end its window `quiet` seconds into a silence after its
    /// hypothesis `hypothesis`: at a pause of `unitPause`; and, for a speaker who runs sentences
    /// together (`speakerRunsOn`), already at a gap between words of `wordGap` once the window
    /// holds `gapCutWords` words not yet committed. A long sentence's first words are then
    /// decided by the final pass as they come, instead of waiting for the word limit and being
    /// committed from the partials. A speaker who stops at the end of each sentence keeps it
    /// whole: cut in two, its second half would be spoken only after the first.
    public func endsWindow(afterQuiet quiet: Double, hypothesis: [String], speakerRunsOn: Bool) -> Bool {
        if quiet >= configuration.unitPause { return true }
        return speakerRunsOn && quiet >= configuration.wordGap && hypothesis.count - committedInWindow.count >= configuration.gapCutWords
    }

    /// How many words at the start of `words` the `settled` words already account for. A
    /// recognizer may respell or split a word it has settled on; then the last settled words are
    /// looked for a word or two either side of where they should be, so a shifted hypothesis
    /// neither repeats nor loses a word.
    private func settledCount(of settled: [String], in words: [String]) -> Int {
        let settled = settled.map(Self.normalized)
        let heard = words.map(Self.normalized)
        // The last three settled words, or the last two where the respelled word is among those three.
        for length in Set([min(3, settled.count), min(2, settled.count)]).sorted(by: >) where length > 0 {
            let anchor = settled.suffix(length)
            for shift in [0, 1, -1, 2, -2] {
                let end = settled.count + shift
                guard end >= length, end <= heard.count else { continue }
                if heard[(end - length)..<end].elementsEqual(anchor) { return end }
            }
        }
        return min(settled.count, words.count)
    }

    /// LocalAgreement-2: the words of `tail` that the previous hypothesis also ended with become
    /// stable, up to the first disagreement; the rest replace the unstable tail.
    private mutating func agree(on tail: [String], at time: Double) {
        var agreed = 0
        while agreed < min(tail.count, unstable.count), Self.normalized(tail[agreed]) == Self.normalized(unstable[agreed].text) {
            agreed += 1
        }
        stable += unstable.prefix(agreed).enumerated().map { Word(text: tail[$0.offset], heardAt: $0.element.heardAt) }
        unstable = tail.dropFirst(agreed).map { Word(text: $0, heardAt: time) }
    }

    /// Commits the units that stable words complete: at a pause, at punctuation or at the word limit.
    private mutating func cutUnits() -> [StreamingUnit] {
        var units: [StreamingUnit] = []
        var index = 0
        while index < stable.count {
            let length = index + 1
            if length >= configuration.maximumUnitWords || endsUnit(stable[index].text, length: length)
                || pauses.contains(committedInWindow.count + length)
            {
                units += commit(length)
                pauses.removeAll { $0 <= committedInWindow.count }
                index = 0
            } else {
                index += 1
            }
        }
        return units
    }

    private mutating func commit(_ count: Int) -> [StreamingUnit] {
        guard count > 0 else { return [] }
        let words = stable.prefix(count)
        stable.removeFirst(count)
        committedInWindow += words.map(\.text)
        return [StreamingUnit(words: words.map(\.text), startTime: words.first!.heardAt, endTime: words.last!.heardAt)]
    }

    private func endsUnit(_ word: String, length: Int) -> Bool {
        guard let mark = word.last else { return false }
        if ".?!".contains(mark) { return true }
        return ",;:".contains(mark) && length >= configuration.minimumClauseWords
    }

    /// Words compare without case or punctuation: recognizers add and drop both between hypotheses.
    static func normalized(_ word: String) -> String {
        String(word.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "'" })
    }
}
