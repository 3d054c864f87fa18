import DragomanCore
import DragomanSpeech
import DragomanStore
import Foundation
import Logging
import Synchronization
import Testing

@testable import DragomanServer

/// The pipeline commits a continuous speaker's words unit by unit while the speaker talks.
@Suite(.timeLimit(.minutes(1))) struct SimultaneousPipelineTests {
    static let words = (1...24).map { "word\($0)" }

    /// Hears one more word for every eighth of a second of audio fed, as a fast speaker who never
    /// pauses; its final result is every word.
    actor GrowingSession: RecognitionSession {
        private var samples = 0
        func feed(_ samples: [Int16]) async throws -> String? {
            self.samples += samples.count
            let heard = min(SimultaneousPipelineTests.words.count, self.samples / 2_000)
            return heard == 0 ? nil : SimultaneousPipelineTests.words.prefix(heard).joined(separator: " ")
        }
        func finish() async throws -> String { SimultaneousPipelineTests.words.joined(separator: " ") }
    }

    struct GrowingRecognizer: SpeechRecognizer {
        var supportedLanguages: Set<String> { ["en"] }
        func makeSession(language: String) async throws -> any RecognitionSession { GrowingSession() }
    }

    /// Hears one more word of the talk for every eighth of a second of audio fed to any of its
    /// sessions, as `GrowingSession` does, but decodes in windows cut at pauses (as pocketsphinx
    /// does): each session's hypothesis and final result are the words heard since it started.
    final class WindowedRecognizer: SpeechRecognizer {
        let samplesFed = Mutex(0)
        var supportedLanguages: Set<String> { ["en"] }
        func makeSession(language: String) async throws -> any RecognitionSession {
            Session(recognizer: self, firstWord: samplesFed.withLock { $0 } / 2_000)
        }

        final class Session: RecognitionSession {
            let recognizer: WindowedRecognizer
            let firstWord: Int
            init(recognizer: WindowedRecognizer, firstWord: Int) {
                self.recognizer = recognizer
                self.firstWord = firstWord
            }
            var prefersCutsAtPauses: Bool { true }
            private func heard() -> String {
                let last = min(SimultaneousPipelineTests.words.count, recognizer.samplesFed.withLock { $0 } / 2_000)
                return SimultaneousPipelineTests.words[min(firstWord, last)..<last].joined(separator: " ")
            }
            func feed(_ samples: [Int16]) async throws -> String? {
                recognizer.samplesFed.withLock { $0 += samples.count }
                let text = heard()
                return text.isEmpty ? nil : text
            }
            func finish() async throws -> String { heard() }
        }
    }

    /// Runs a pipeline; returns its inputs and the source-language final captions it emits.
    static func start(unitWords: Int, recognizer: any SpeechRecognizer = GrowingRecognizer()) throws -> (
        AsyncStream<PipelineInput>.Continuation, AsyncStream<PipelineOutput>, Task<Void, Never>
    ) {
        var settings = ServerConfiguration()
        settings.unitWords = unitWords
        let store = try SQLiteStore(path: FileManager.default.temporaryDirectory.appendingPathComponent("simultaneous-\(UUID()).sqlite").path)
        let pipeline = SessionPipeline(
            sessionId: "simultaneous", sourceLanguage: LanguageCode("en")!,
            engines: SpeechEngines(recognizer: recognizer, translator: FakeEngines.Translator(), synthesizer: FakeEngines.Synthesizer()),
            store: store, writer: StoreWriter(store: store, logger: Logger(label: "test")), settings: settings, logger: Logger(label: "test"))
        let (inputs, feed) = AsyncStream.makeStream(of: PipelineInput.self)
        let (outputs, emit) = AsyncStream.makeStream(of: PipelineOutput.self)
        let task = Task { await pipeline.run(inputs, emit: emit) }
        return (feed, outputs, task)
    }

    /// Seconds of loud noise at 16 kHz, with no pause in it.
    static func speech(seconds: Double) -> [Int16] {
        var generator = SystemRandomNumberGenerator()
        return (0..<Int(seconds * 16_000)).map { _ in Int16.random(in: -8_000...8_000, using: &generator) }
    }

    /// The final captions in the source language until `flushed` comes, or the first one when
    /// `untilFirst`.
    static func finals(_ outputs: inout AsyncStream<PipelineOutput>.Iterator, untilFirst: Bool) async -> [Caption] {
        var finals: [Caption] = []
        while let output = await outputs.next() {
            switch output {
            case .caption(let caption, let language, _) where caption.isFinal && language.rawValue == "en":
                finals.append(caption)
                if untilFirst { return finals }
            case .flushed:
                return finals
            default:
                continue
            }
        }
        return finals
    }

    @Test func unitsAreCommittedWhileTheSpeakerTalksAndNoWordIsLostOrRepeated() async throws {
        let (feed, outputs, task) = try Self.start(unitWords: 5)
        var received = outputs.makeAsyncIterator()
        feed.yield(.audio([Int16](repeating: 0, count: 8_000), sampleRate: 16_000))
        // Two seconds of speech, still going on: about fifteen words heard.
        feed.yield(.audio(Self.speech(seconds: 2), sampleRate: 16_000))
        let first = await Self.finals(&received, untilFirst: true)
        #expect(first.map(\.sourceText) == ["word1 word2 word3 word4 word5"], "the first unit comes at the word limit, mid-speech")
        feed.yield(.audio(Self.speech(seconds: 1.5), sampleRate: 16_000))
        feed.yield(.flush(1))
        let rest = await Self.finals(&received, untilFirst: false)
        let units = first + rest
        #expect(units.flatMap { $0.sourceText.split(separator: " ").map(String.init) } == Self.words)
        #expect(units.count >= 4)
        #expect(units.dropLast().allSatisfy { $0.sourceText.split(separator: " ").count == 5 }, "only the word limit cuts a speech with no pause")
        #expect(Set(units.map(\.segmentIndex)).count == units.count, "each unit is a segment of its own")
        #expect(zip(units, units.dropFirst()).allSatisfy { $0.endTime <= $1.startTime + 1e-9 }, "units follow each other in time")
        feed.finish()
        await task.value
    }

    @Test func aSpeakerWhoRunsOnPastTheWordLimitHasWindowsCutAtGapsBetweenWords() async throws {
        let (feed, outputs, task) = try Self.start(unitWords: 12, recognizer: WindowedRecognizer())
        var received = outputs.makeAsyncIterator()
        feed.yield(.audio([Int16](repeating: 0, count: 8_000), sampleRate: 16_000))
        // Speech with a gap of 80 ms (shorter than unitPause) every half second, never a pause, in
        // one chunk: a gap inside a chunk is seen too.
        let talk = (0..<6).flatMap { _ in Self.speech(seconds: 0.5) + [Int16](repeating: 0, count: 1_280) }
        feed.yield(.audio(talk + Self.speech(seconds: 0.2), sampleRate: 16_000))
        feed.yield(.flush(1))
        let units = await Self.finals(&received, untilFirst: false)
        let lengths = units.map { $0.sourceText.split(separator: " ").count }
        #expect(units.flatMap { $0.sourceText.split(separator: " ").map(String.init) } == Self.words, "no word lost or repeated at a cut")
        #expect(lengths.first == 12, "a speaker not yet known to run on is cut only at the word limit")
        #expect(lengths.count >= 3)
        #expect(lengths.dropFirst().dropLast().allSatisfy { (6..<12).contains($0) }, "then at the first gap once gapCutWords are heard: \(lengths)")
        feed.finish()
        await task.value
    }

    @Test func withoutUnitsTheSegmentIsCommittedWhenItEnds() async throws {
        let (feed, outputs, task) = try Self.start(unitWords: 0)
        var received = outputs.makeAsyncIterator()
        feed.yield(.audio([Int16](repeating: 0, count: 8_000), sampleRate: 16_000))
        feed.yield(.audio(Self.speech(seconds: 3.5), sampleRate: 16_000))
        feed.yield(.flush(1))
        let units = await Self.finals(&received, untilFirst: false)
        #expect(units.map(\.sourceText) == [Self.words.joined(separator: " ")])
        feed.finish()
        await task.value
    }
}
