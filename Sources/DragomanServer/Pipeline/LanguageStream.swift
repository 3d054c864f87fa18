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

    /// Seconds of unplayed speech past which a unit's speech is hurried: the quiet the synthesizer
    /// puts before and after it is cut, so that speech behind a fast speaker catches up.
    static let backlogBound = 3.0
    /// Seconds of unplayed speech up to which a unit is spoken at its own pace.
    static let backlogAtEase = 1.0
    /// The fastest a unit is spoken (`TimeStretch`): half again as fast is still easy to follow.
    static let maximumTempo = 1.5

    /// How fast a unit is spoken behind `backlog` seconds of unplayed speech: at its own pace up to
    /// `backlogAtEase`, then faster as the backlog grows, `maximumTempo` from `backlogBound` on.
    /// A translation is often longer than what the speaker said: without this, speech behind a
    /// speaker who never pauses falls further behind with every unit.
    static func tempo(backlog: Double) -> Double {
        let share = (backlog - backlogAtEase) / (backlogBound - backlogAtEase)
        return 1 + (maximumTempo - 1) * min(1, max(0, share))
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
        guard let translation = await translate(caption.sourceText) else { return }
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
        await speak(translation, segmentIndex: segment.index, encodeOpus: formats.contains(.opus))
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
    private func speak(_ text: String, segmentIndex: Int, encodeOpus: Bool) async {
        let started = ContinuousClock.now
        do {
            let speech = try await pipeline.engines.synthesizer.synthesize(text, language: language.rawValue)
            let encoder = encodeOpus ? try OpusEncoder(inputRate: speech.sampleRate, bitrate: pipeline.settings.opusBitrate) : nil
            let chunkLength = Int(Double(speech.sampleRate) * Self.chunkDuration)
            var pending: [Int16] = []
            var chunkIndex = 0
            let backlog = pacer.backlog
            let hurried = backlog > Self.backlogBound
            // A unit sped up is stretched whole, once synthesized: a few milliseconds for a unit.
            let tempo = Self.tempo(backlog: backlog)
            func isQuiet(_ sample: Int16) -> Bool { sample.magnitude < Self.quietAmplitude.magnitude }
            // The volume of the moment is applied before encoding: Opus listeners cannot scale packets.
            func publish(isLast: Bool) throws {
                let volume = audience.volume
                let samples = volume == 1 ? pending : PCM.scaled(pending, by: volume)
                let packets = try encoder.map { encoder in try encoder.encode(samples) + (isLast ? encoder.finish() : []) }
                pacer.enqueue(
                    SpeechChunk(
                        language: language, segmentIndex: segmentIndex, chunkIndex: chunkIndex, isLast: isLast,
                        samples: samples, sampleRate: speech.sampleRate, opusPackets: packets))
                chunkIndex += 1
                pending.removeAll(keepingCapacity: true)
            }
            for try await samples in speech.chunks {
                pending += hurried && chunkIndex == 0 && pending.isEmpty ? Array(samples.drop(while: isQuiet)) : samples
                guard tempo == 1, pending.count >= chunkLength else { continue }
                if chunkIndex == 0 { ServerMetrics.stageDuration(.synthesis).recordElapsed(since: started) }
                try publish(isLast: false)
            }
            while hurried, let last = pending.last, isQuiet(last) { pending.removeLast() }
            if tempo > 1 {
                let faster = TimeStretch.faster(pending, by: tempo, sampleRate: speech.sampleRate)
                ServerMetrics.stageDuration(.synthesis).recordElapsed(since: started)
                // Whole chunks, and the rest (never empty unless the speech is) as the last one.
                let wholeChunks = max(0, faster.count - 1) / chunkLength
                for start in stride(from: 0, to: wholeChunks * chunkLength, by: chunkLength) {
                    pending = Array(faster[start..<(start + chunkLength)])
                    try publish(isLast: false)
                }
                pending = Array(faster[(wholeChunks * chunkLength)...])
            }
            try publish(isLast: true)
        } catch {
            pipeline.failed("speech synthesis in \(language)", error, emit: emit)
        }
    }
}
