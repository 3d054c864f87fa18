import DragomanCore
import DragomanSpeech
import DragomanStore
import Foundation
import Logging
import Synchronization

/// The work of one target language in one session: translate each segment, store the
/// translation, emit the caption, synthesize the speech and pace it out. Segments are handled in
/// order; a partial caption that a newer one has overtaken is skipped, never a final one.
final class LanguageStream: Sendable {
    private enum Job: Sendable {
        case partial(Caption, generation: Int)
        case final(TranscriptSegment)
    }

    let language: LanguageCode
    private let jobs: AsyncStream<Job>.Continuation
    private let queued: AsyncStream<Job>
    private let pacer: SpeechPacer
    private let pipeline: SessionPipeline
    private let audience: AudienceBox
    private let emit: AsyncStream<PipelineOutput>.Continuation
    /// Counts partials queued, so the worker can skip any that a newer one overtook.
    private let partialGeneration = Atomic<Int>(0)
    /// Set when the language lost its listeners: what is queued is dropped.
    private let stopped = Atomic<Bool>(false)

    /// Speech goes out in chunks of at least this many seconds (the first as soon as it has that
    /// much). Every chunk is one message to every listener of the language: a quarter of a second
    /// keeps the count of writes low with thousands of listeners, and the synthesizer makes that
    /// much in a few milliseconds, so the first chunk is not later for it.
    static let chunkDuration = 0.25

    /// Seconds by which a unit's speech may outlast the time the speaker took to say it, queue
    /// included, before it is spoken faster. Every second of it is a second more between a word
    /// and its speech for as long as the speaker does not pause; half a second lets a translation
    /// run a little longer than its source (most do) without hurrying a speaker who pauses, whose
    /// pauses take up the rest.
    static let backlogAllowance = 0.5
    /// The fastest a unit is spoken (`TimeStretch`): half again as fast is still easy to follow.
    static let maximumTempo = 1.5

    /// How fast a unit is spoken: so that its `speech` (seconds, at its own pace) plays out, behind
    /// the `backlog` seconds of speech still queued, within the `spoken` seconds the speaker took
    /// to say it and `backlogAllowance`; never slower than its own pace nor faster than
    /// `maximumTempo`. A translation is often longer than what the speaker said: fitting each unit
    /// into the time its source took keeps speech behind a speaker who never pauses from falling
    /// further behind with every unit, before a backlog builds rather than after.
    static func tempo(speech: Double, spoken: Double, backlog: Double) -> Double {
        let room = spoken + backlogAllowance - backlog
        guard room > 0 else { return maximumTempo }
        return min(maximumTempo, max(1, speech / room))
    }
    /// The last words of a provisional translation that are not shown (re-translation with
    /// masking): a translator reorders and inflects the end of a sentence as more of it comes (an
    /// adjective after its noun, an article agreeing with a noun not yet heard), so the last word
    /// of a partial translation is the one most often taken back. One word: the partial is shown
    /// about one word later, less than the second its translation would otherwise flicker.
    static let maskedWords = 1

    /// A provisional translation without its last `maskedWords` words; empty when nothing is left.
    static func masked(_ translation: String) -> String {
        translation.split(whereSeparator: \.isWhitespace).dropLast(maskedWords).joined(separator: " ")
    }

    /// Samples quieter than this (about −40 dBFS) at a unit's ends are that quiet.
    private static let quietAmplitude: Int16 = 330

    init(language: LanguageCode, pipeline: SessionPipeline, audience: AudienceBox, emit: AsyncStream<PipelineOutput>.Continuation) {
        self.language = language
        self.pipeline = pipeline
        self.audience = audience
        self.emit = emit
        self.pacer = SpeechPacer(lead: pipeline.settings.speechLead, emit: emit)
        (queued, jobs) = AsyncStream.makeStream(of: Job.self)
    }

    /// Queues the latest partial hypothesis of the segment under way.
    func translatePartial(_ caption: Caption) {
        let generation = partialGeneration.add(1, ordering: .relaxed).newValue
        jobs.yield(.partial(caption, generation: generation))
    }

    /// Queues a final segment.
    func translateFinal(_ segment: TranscriptSegment) {
        partialGeneration.add(1, ordering: .relaxed)
        jobs.yield(.final(segment))
    }

    /// Drops what is queued and ends.
    func stop() {
        stopped.store(true, ordering: .relaxed)
        jobs.finish()
        pacer.stop()
    }

    /// Lets the stream finish what is queued, and the pacer send it, then end.
    func finish() {
        jobs.finish()
    }

    /// The worker and its pacer, until the stream is finished or stopped.
    func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.pacer.run() }
            for await job in queued {
                guard !stopped.load(ordering: .relaxed) else { break }
                switch job {
                case .partial(let caption, let generation):
                    guard generation == partialGeneration.load(ordering: .relaxed) else { continue }
                    await publishPartial(caption)
                case .final(let segment):
                    await publishFinal(segment)
                }
            }
            pacer.finish()
        }
    }

    private func publishPartial(_ caption: Caption) async {
        guard let translation = await translate(caption.sourceText).map(Self.masked), !translation.isEmpty else { return }
        emit.yield(.caption(caption, language: language, text: translation))
    }

    private func publishFinal(_ segment: TranscriptSegment) async {
        guard let translation = await translate(segment.sourceText) else { return }
        let language = language
        await pipeline.keep("\(language) translation of segment \(segment.index) of session \(segment.sessionId)", emit: emit) {
            try await $0.insertTranslation(sessionId: segment.sessionId, segmentIndex: segment.index, language: language, text: translation)
        }
        emit.yield(.caption(Caption(segment: segment, isFinal: true), language: language, text: translation))
        guard pipeline.engines.canSpeak(language) else { return }
        let formats = audience.formats(of: language)
        guard !formats.isEmpty else { return }
        await speak(translation, segment: segment, encodeOpus: formats.contains(.opus))
    }

    private func translate(_ text: String) async -> String? {
        let started = ContinuousClock.now
        do {
            let translation = try await pipeline.engines.translator.translate(text, from: pipeline.sourceLanguage.rawValue, to: language.rawValue)
            ServerMetrics.stageDuration(.translation).recordElapsed(since: started)
            return translation
        } catch {
            pipeline.failed("translation to \(language)", error, emit: emit)
            return nil
        }
    }

    /// Synthesizes a segment's speech and hands it to the pacer chunk by chunk; with `encodeOpus`,
    /// each chunk is also encoded here, once for all of the language's Opus listeners.
    ///
    /// The speech is synthesized whole before its first chunk goes out, since how fast it must be
    /// spoken depends on how long it is: eSpeak NG makes a unit's speech in a few milliseconds,
    /// and Piper makes a whole sentence before its first chunk anyway.
    private func speak(_ text: String, segment: TranscriptSegment, encodeOpus: Bool) async {
        let started = ContinuousClock.now
        do {
            let speech = try await pipeline.engines.synthesizer.synthesize(text, language: language.rawValue)
            let encoder = encodeOpus ? try OpusEncoder(inputRate: speech.sampleRate, bitrate: pipeline.settings.opusBitrate) : nil
            var samples: [Int16] = []
            for try await chunk in speech.chunks { samples += chunk }
            let backlog = pacer.backlog
            let spoken = segment.endTime - segment.startTime
            func seconds(_ samples: [Int16]) -> Double { Double(samples.count) / Double(speech.sampleRate) }
            if Self.tempo(speech: seconds(samples), spoken: spoken, backlog: backlog) > 1 {
                // Speech that must hurry loses the quiet the synthesizer put around it first, then
                // is time-compressed (a few milliseconds for a unit) as much as is still needed.
                func isQuiet(_ sample: Int16) -> Bool { sample.magnitude < Self.quietAmplitude.magnitude }
                samples = Array(samples.drop(while: isQuiet))
                while let last = samples.last, isQuiet(last) { samples.removeLast() }
                let tempo = Self.tempo(speech: seconds(samples), spoken: spoken, backlog: backlog)
                samples = TimeStretch.faster(samples, by: tempo, sampleRate: speech.sampleRate)
            }
            ServerMetrics.stageDuration(.synthesis).recordElapsed(since: started)
            // The volume of the moment is applied before encoding: Opus listeners cannot scale packets.
            let chunkLength = Int(Double(speech.sampleRate) * Self.chunkDuration)
            let chunkStarts = Array(stride(from: 0, to: max(1, samples.count), by: chunkLength))
            for (chunkIndex, start) in chunkStarts.enumerated() {
                let isLast = chunkIndex == chunkStarts.count - 1
                // Whole chunks, and the rest (never empty unless the speech is) as the last one.
                let chunk = Array(samples[start..<(isLast ? samples.count : start + chunkLength)])
                let volume = audience.volume
                let scaled = volume == 1 ? chunk : PCM.scaled(chunk, by: volume)
                let packets = try encoder.map { encoder in try encoder.encode(scaled) + (isLast ? encoder.finish() : []) }
                pacer.enqueue(
                    SpeechChunk(
                        language: language, segmentIndex: segment.index, chunkIndex: chunkIndex, isLast: isLast,
                        samples: scaled, sampleRate: speech.sampleRate, opusPackets: packets))
            }
        } catch {
            pipeline.failed("speech synthesis in \(language)", error, emit: emit)
        }
    }
}
