import DragomanCore
import DragomanStore
import Foundation
import Logging
import Testing

@testable import DragomanServer

/// `SessionPipeline` on its own, without a session or sockets: inputs in, outputs out.
@Suite("SessionPipeline")
struct SessionPipelineTests {
    static let spanish = LanguageCode("es")!
    static let french = LanguageCode("fr")!

    /// A pipeline with engines that hear "Good evening." in every stretch of speech, its inputs
    /// and everything it emits, in order.
    struct Harness {
        let inputs: AsyncStream<PipelineInput>.Continuation
        var outputs: AsyncStream<PipelineOutput>.AsyncIterator
        let run: Task<Void, Never>

        init(sessionId: String, store: any DragomanStore) {
            let pipeline = SessionPipeline(
                sessionId: sessionId, sourceLanguage: LanguageCode("en")!, engines: FakeEngines.speaking, store: store,
                writer: StoreWriter(store: store, logger: Logger(label: "pipeline-test")), settings: ServerConfiguration(),
                logger: Logger(label: "pipeline-test"))
            let (inputStream, inputs) = AsyncStream.makeStream(of: PipelineInput.self)
            let (outputStream, outputs) = AsyncStream.makeStream(of: PipelineOutput.self)
            self.inputs = inputs
            self.outputs = outputStream.makeAsyncIterator()
            self.run = Task {
                await pipeline.run(inputStream, emit: outputs)
                outputs.finish()
            }
        }

        /// What was emitted, kept as it is read.
        var seen: [PipelineOutput] = []

        /// Reads outputs until `done` holds for everything read so far (or the pipeline ends).
        mutating func read(until done: ([PipelineOutput]) -> Bool) async {
            while !done(seen), let output = await outputs.next() { seen.append(output) }
        }

        /// Finishes the segment under way: when this returns, it is recognized and stored, and
        /// its translations are under way.
        mutating func flush(_ token: Int) async {
            inputs.yield(.flush(token))
            await read { $0.contains { if case .flushed(token) = $0 { true } else { false } } }
        }
    }

    static func withStore(_ body: (any DragomanStore) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(try SQLiteStore(path: directory.appendingPathComponent("dragoman.sqlite").path))
    }

    static func finalCaptions(_ outputs: [PipelineOutput]) -> [(LanguageCode, String)] {
        outputs.compactMap {
            guard case .caption(let caption, let language, let text) = $0, caption.isFinal else { return nil }
            return (language, text)
        }
    }

    static func speech(_ outputs: [PipelineOutput]) -> [SpeechChunk] {
        outputs.compactMap {
            guard case .speech(let chunk) = $0 else { return nil }
            return chunk
        }
    }

    /// A segment is stored, captioned in the source language and in each language of the
    /// audience pushed in, and spoken only where a listener wants speech.
    @Test(.timeLimit(.minutes(1))) func aSegmentReachesTheAudiencePushedIn() async throws {
        try await Self.withStore { store in
            var harness = Harness(sessionId: "pipeline-audience", store: store)
            harness.inputs.yield(.audience(PipelineAudience(languages: [Self.spanish: [.pcm], Self.french: []])))
            harness.inputs.yield(.audio(ToneFrames.utterance(seconds: 0.6, pause: 1), sampleRate: 16_000))
            await harness.flush(1)
            await harness.read { Self.finalCaptions($0).count == 3 && !Self.speech($0).isEmpty }
            let outputs = harness.seen
            let finals = Self.finalCaptions(outputs)
            #expect(finals.contains { $0.0.rawValue == "en" && $0.1 == "Good evening." })
            #expect(finals.contains { $0.0 == Self.spanish && $0.1 == "[es] Good evening." })
            #expect(finals.contains { $0.0 == Self.french && $0.1 == "[fr] Good evening." })
            #expect(!Self.speech(outputs).isEmpty)
            #expect(Self.speech(outputs).allSatisfy { $0.language == Self.spanish })
            let stored = try await store.transcript(sessionId: "pipeline-audience")
            #expect(stored.map(\.sourceText) == ["Good evening."])
            harness.inputs.finish()
            await harness.run.value
        }
    }

    /// A pause applies to the audio after it, never to the audio before: what was said before is
    /// finished, what is said during the pause is never recognized.
    @Test(.timeLimit(.minutes(1))) func aPauseAppliesToTheAudioAfterIt() async throws {
        try await Self.withStore { store in
            var harness = Harness(sessionId: "pipeline-pause", store: store)
            harness.inputs.yield(.audience(PipelineAudience(languages: [Self.spanish: []])))
            harness.inputs.yield(.audio(ToneFrames.utterance(seconds: 0.6, pause: 0.05), sampleRate: 16_000))
            harness.inputs.yield(.flowing(false))
            harness.inputs.yield(.audio(ToneFrames.utterance(seconds: 0.6, pause: 1), sampleRate: 16_000))
            await harness.flush(1)
            // The speech before the pause was finished by it; the speech after it was ignored.
            let storedBefore = try await store.transcript(sessionId: "pipeline-pause")
            #expect(storedBefore.count == 1)
            harness.inputs.yield(.flowing(true))
            harness.inputs.yield(.audio(ToneFrames.utterance(seconds: 0.6, pause: 1), sampleRate: 16_000))
            await harness.flush(2)
            let storedAfter = try await store.transcript(sessionId: "pipeline-pause")
            #expect(storedAfter.count == 2)
            await harness.read { Self.finalCaptions($0).filter { $0.0 == Self.spanish }.count == 2 }
            #expect(Self.finalCaptions(harness.seen).filter { $0.0 == Self.spanish }.count == 2)
            harness.inputs.finish()
            await harness.run.value
        }
    }

    /// Segments are numbered after the last one stored, whichever pipeline stored it.
    @Test(.timeLimit(.minutes(1))) func segmentsAreNumberedAfterTheStoredOnes() async throws {
        try await Self.withStore { store in
            for round in 1...2 {
                var harness = Harness(sessionId: "pipeline-numbering", store: store)
                harness.inputs.yield(.audio(ToneFrames.utterance(seconds: 0.6, pause: 1), sampleRate: 16_000))
                await harness.flush(round)
                let indices = harness.seen.compactMap { output -> Int? in
                    guard case .caption(let caption, _, _) = output, caption.isFinal else { return nil }
                    return caption.segmentIndex
                }
                #expect(indices == [round])
                harness.inputs.finish()
                await harness.run.value
            }
        }
    }

    /// A unit's speech is fitted into the time its source took, with half a second to spare, behind
    /// what is still queued: spoken faster the longer it is and the further behind, within bounds.
    @Test func speechBehindIsSpokenFasterWithinBounds() {
        // 2 s of speech for words said in 2 s: at its own pace, unless the queue is longer than the spare half second.
        let behind = [0, 0.5, 1, 1.5, 2.5, 10].map { LanguageStream.tempo(speech: 2, spoken: 2, backlog: $0) }
        #expect(behind == [1, 1, 4.0 / 3, 1.5, 1.5, 1.5])
        // With nothing queued, a translation longer than its source by more than the spare half second is hurried.
        let longer = [2, 2.5, 3, 10].map { LanguageStream.tempo(speech: $0, spoken: 2, backlog: 0) }
        #expect(longer == [1, 1, 1.2, 1.5])
    }

    /// A provisional translation is shown without its last word, the one a translator most often
    /// changes as more of the sentence comes.
    @Test func aProvisionalTranslationHoldsBackItsLastWord() {
        #expect(LanguageStream.masked("tantas caras  familiares") == "tantas caras")
        #expect(LanguageStream.masked("hola").isEmpty, "a one-word partial shows nothing yet")
    }
}
