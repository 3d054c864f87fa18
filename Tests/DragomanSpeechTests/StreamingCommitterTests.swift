import DragomanSpeech
import Testing

/// Feeds a committer and keeps what it committed.
private struct Feed {
    var committer: StreamingCommitter
    var units: [StreamingUnit] = []
    var provisional: [String] = []
    var time = 0.0

    init(_ configure: (inout StreamingCommitter.Configuration) -> Void = { _ in }) {
        var configuration = StreamingCommitter.Configuration()
        configure(&configuration)
        committer = StreamingCommitter(configuration: configuration)
    }

    /// Feeds a hypothesis 0.25 s after the last one; returns the units it committed, as text.
    @discardableResult
    mutating func hear(_ text: String) -> [String] {
        time += 0.25
        return apply(.hypothesis(text.split(separator: " ").map(String.init), at: time))
    }

    /// Ends the window with the recognizer's final result, 0.25 s after the last hypothesis.
    @discardableResult
    mutating func finish(_ text: String) -> [String] {
        time += 0.25
        return apply(.final(text.split(separator: " ").map(String.init), at: time))
    }

    @discardableResult
    mutating func apply(_ input: StreamingCommitter.Input) -> [String] {
        let update = committer.handle(input)
        units += update.committed
        provisional = update.provisional
        return update.committed.map(\.text)
    }

    var committedWords: [String] { units.flatMap(\.words) }
}

@Suite struct StreamingCommitterTests {
    @Test func aWordIsStableOnceTwoConsecutiveHypothesesAgreeOnIt() {
        var feed = Feed { $0.heldBackWords = 0 }
        feed.hear("good evening")
        feed.apply(.pause(duration: 0.2))
        #expect(feed.units.isEmpty, "one hypothesis settles nothing")
        feed.hear("good evening every")
        // "good evening" is now stable and ends at the pause; "every" is not stable.
        #expect(feed.units.map(\.text) == ["good evening"])
        #expect(feed.provisional == ["every"])
    }

    @Test func aWordTheRecognizerChangesIsNotStable() {
        var feed = Feed()
        feed.hear("the budget four")
        feed.hear("the budget for next")
        #expect(feed.provisional == ["the", "budget"])
        feed.hear("the budget for next year")
        #expect(feed.provisional == ["the", "budget", "for", "next"])
        #expect(feed.units.isEmpty)
    }

    @Test func aShortPauseEndsAUnitAndAShorterOneDoesNot() {
        var feed = Feed()
        feed.hear("thank you for coming")
        feed.apply(.pause(duration: 0.1))
        feed.hear("thank you for coming out")
        feed.hear("thank you for coming out tonight")
        #expect(feed.units.isEmpty, "a pause shorter than unitPause ends no unit")
        feed.apply(.pause(duration: 0.15))
        #expect(feed.apply(.pause(duration: 0.4)) == [], "the words before the pause are not all stable yet")
        #expect(feed.hear("thank you for coming out tonight") == ["thank you for coming out tonight"])
        // More words with no pause after them stay in the unit under way.
        feed.hear("thank you for coming out tonight to talk about")
        feed.hear("thank you for coming out tonight to talk about the")
        #expect(feed.units.count == 1)
        #expect(feed.provisional == ["to", "talk", "about"])
    }

    @Test func aSentenceMarkEndsAUnitAtOnce() {
        var feed = Feed()
        feed.hear("it works. the")
        #expect(feed.hear("it works. the next") == ["it works."])
        #expect(feed.provisional == ["the"])
    }

    @Test func aClauseMarkEndsAUnitOnlyOnceItIsLongEnough() {
        var feed = Feed()
        feed.hear("yes, and the budget for this year, we")
        #expect(feed.hear("yes, and the budget for this year, we think") == ["yes, and the budget for this year,"])
    }

    @Test func aLongRunIsCutAtTheWordLimit() {
        var feed = Feed { $0.maximumUnitWords = 3 }
        feed.hear("one two three four five six seven")
        #expect(feed.hear("one two three four five six seven eight") == ["one two three", "four five six"])
        #expect(feed.provisional == ["seven"])
    }

    @Test func theEndOfTheStreamCommitsTheUnstableTail() {
        var feed = Feed()
        feed.hear("we vote next")
        feed.hear("we vote next month")
        #expect(feed.finish("we vote next month") == ["we vote next month"])
        // The next window starts from nothing.
        feed.hear("so please")
        feed.hear("so please come")
        #expect(feed.finish("so please come") == ["so please come"])
    }

    @Test func theFinalResultReplacesStableWordsNotYetCommitted() {
        var feed = Feed()
        feed.hear("the boat")
        feed.apply(.pause(duration: 0.2))
        #expect(feed.hear("the boat next") == ["the boat"])
        feed.hear("the boat next month in")
        feed.hear("the boat next month in the")
        // "next month in" is stable but in no unit yet: the final pass decides it; the committed unit stands.
        #expect(feed.provisional == ["next", "month", "in"])
        #expect(feed.finish("we vote next mouth on") == ["next mouth on"])
        #expect(feed.committedWords == ["the", "boat", "next", "mouth", "on"])
    }

    @Test func noWordIsLostOrRepeatedWhileTheHypothesisGrowsAndIsRevised() {
        var feed = Feed { $0.maximumUnitWords = 4 }
        let hypotheses = [
            "over", "over the last", "over the last six", "over the last six month", "over the last six months the",
            "over the last six months the finance", "over the last six months the finance committee has",
            "over the last six months the finance committee has met every", "over the last six months the finance committee has met every other week",
        ]
        for (index, hypothesis) in hypotheses.enumerated() {
            feed.hear(hypothesis)
            if index % 3 == 2 { feed.apply(.pause(duration: 0.2)) }
        }
        feed.finish(hypotheses.last!)
        #expect(feed.committedWords == hypotheses.last!.split(separator: " ").map(String.init))
        #expect(feed.units.allSatisfy { $0.words.count <= 4 })
    }

    @Test func aCommittedUnitIsNeverRevised() {
        var feed = Feed()
        feed.hear("the cat sat")
        feed.apply(.pause(duration: 0.2))
        #expect(feed.hear("the cat sat on") == ["the cat sat"])
        // The recognizer now spells a committed word differently: the unit stands, nothing is repeated.
        feed.hear("a cat sat on the")
        feed.hear("a cat sat on the mat")
        feed.finish("a cat sat on the mat")
        #expect(feed.committedWords == ["the", "cat", "sat", "on", "the", "mat"])
    }

    @Test func aHypothesisShiftedByASplitWordNeitherRepeatsNorLosesOne() {
        var feed = Feed()
        feed.hear("the water bills are")
        feed.apply(.pause(duration: 0.2))
        feed.hear("the water bills are going")
        #expect(feed.committedWords == ["the", "water", "bills", "are"])
        // "water" became "what her": every settled word moved one place right.
        feed.hear("the what her bills are going up")
        feed.hear("the what her bills are going up by")
        feed.finish("the what her bills are going up by")
        #expect(feed.committedWords == ["the", "water", "bills", "are", "going", "up", "by"])
    }

    @Test func aTrimmedWindowDropsItsCommittedWords() {
        var feed = Feed()
        feed.hear("those pipes were")
        feed.apply(.pause(duration: 0.2))
        feed.hear("those pipes were laid")
        // The recognizer dropped the audio of "those pipes"; its hypotheses start at "were".
        feed.apply(.windowTrimmed(words: 2))
        feed.hear("were laid almost")
        feed.hear("were laid almost a")
        feed.finish("were laid almost a")
        #expect(feed.committedWords == ["those", "pipes", "were", "laid", "almost", "a"])
    }

    @Test func theProvisionalTextHoldsBackTheLastUnstableWords() {
        var feed = Feed { $0.heldBackWords = 1 }
        feed.hear("some of you")
        feed.hear("some of you have asked why")
        // "some of you" is stable; "have asked why" is not, and its last word is held back.
        #expect(feed.provisional == ["some", "of", "you", "have", "asked"])
    }

    @Test func aWindowEndsAtAPauseAndForASpeakerWhoRunsOnAtAGapOnceItHoldsEnoughWords() {
        var feed = Feed {
            $0.maximumUnitWords = 12
            $0.gapCutWords = 6
        }
        let five = "over the last six months".split(separator: " ").map(String.init)
        let six = five + ["the"]
        #expect(feed.committer.endsWindow(afterQuiet: 0.15, hypothesis: five, speakerRunsOn: false), "a pause of unitPause always ends it")
        #expect(!feed.committer.endsWindow(afterQuiet: 0.08, hypothesis: six, speakerRunsOn: false), "a speaker who stops keeps the sentence whole")
        #expect(!feed.committer.endsWindow(afterQuiet: 0.04, hypothesis: six, speakerRunsOn: true), "quiet shorter than a gap between words")
        #expect(!feed.committer.endsWindow(afterQuiet: 0.08, hypothesis: five, speakerRunsOn: true), "too few words to translate on their own")
        #expect(feed.committer.endsWindow(afterQuiet: 0.06, hypothesis: six, speakerRunsOn: true))
        // Words already committed from the window's partials do not count.
        feed.hear("over the last six months the finance")
        feed.apply(.pause(duration: 0.2))
        feed.hear("over the last six months the finance committee")
        #expect(feed.committedWords.count == 7)
        #expect(!feed.committer.endsWindow(afterQuiet: 0.08, hypothesis: six + ["finance", "committee", "has", "met"], speakerRunsOn: true))
    }

    @Test func aUnitIsTimedByWhenItsWordsWereFirstHeard() {
        var feed = Feed()
        feed.hear("before we")  // at 0.25 s
        feed.hear("before we vote")  // at 0.5 s
        feed.apply(.pause(duration: 0.2))
        feed.hear("before we vote")  // at 0.75 s
        #expect(feed.units == [StreamingUnit(words: ["before", "we", "vote"], startTime: 0.25, endTime: 0.5)])
    }
}
