import DragomanCore
import DragomanSpeech
import DragomanStore
import Foundation
import Logging
import Synchronization

/// The work of one target language in one session: translate each segment, store the
/// translation, publish the caption, synthesize the speech. Segments are handled in order;
/// a partial caption that a newer one has overtaken is skipped, never a final one.
final class LanguageStream: Sendable {
    private enum Job: Sendable {
        case partial(text: String, segmentIndex: Int, startTime: Double, endTime: Double, generation: Int)
        case final(TranscriptSegment)
    }

    let language: LanguageCode
    private let jobs: AsyncStream<Job>.Continuation
    private let worker: Task<Void, Never>
    private let pacer: SpeechPacer
    /// Counts partials queued, so the worker can skip any that a newer one overtook.
    private let partialGeneration = Counter()

    private final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    init(
        language: LanguageCode, sourceLanguage: LanguageCode, session: LiveSession, engines: SpeechEngines, store: any DragomanStore,
        opusBitrate: Int, speechLead: Double, logger: Logger
    ) {
        self.language = language
        let pacer = SpeechPacer(session: session, lead: speechLead)
        self.pacer = pacer
        let (stream, continuation) = AsyncStream.makeStream(of: Job.self)
        self.jobs = continuation
        let generation = partialGeneration
        let context = Context(
            language: language, sourceLanguage: sourceLanguage, session: session, engines: engines, store: store, pacer: pacer,
            opusBitrate: opusBitrate, logger: logger)
        worker = Task {
            for await job in stream {
                switch job {
                case .partial(let text, let index, let start, let end, let jobGeneration):
                    guard jobGeneration == generation.value.load(ordering: .relaxed) else { continue }
                    await context.publishPartial(text, segmentIndex: index, startTime: start, endTime: end)
                case .final(let segment):
                    await context.publishFinal(segment)
                }
            }
        }
    }

    /// Queues the latest partial hypothesis of the segment under way.
    func translatePartial(_ text: String, segmentIndex: Int, startTime: Double, endTime: Double) {
        let generation = partialGeneration.value.add(1, ordering: .relaxed).newValue
        jobs.yield(.partial(text: text, segmentIndex: segmentIndex, startTime: startTime, endTime: endTime, generation: generation))
    }

    /// Queues a final segment.
    func translateFinal(_ segment: TranscriptSegment) {
        partialGeneration.value.add(1, ordering: .relaxed)
        jobs.yield(.final(segment))
    }

    func stop() {
        jobs.finish()
        worker.cancel()
        pacer.stop()
    }

    /// Lets the worker finish what is queued, and the pacer send it, then ends them.
    func finish() async {
        jobs.finish()
        await worker.value
        await pacer.finish()
    }

    /// What the worker needs, apart from the queue.
    private struct Context: Sendable {
        let language: LanguageCode
        let sourceLanguage: LanguageCode
        let session: LiveSession
        let engines: SpeechEngines
        let store: any DragomanStore
        let pacer: SpeechPacer
        let opusBitrate: Int
        let logger: Logger

        /// Speech goes out in chunks of at least this many seconds (the first as soon as it has
        /// that much). Every chunk is one message to every listener of the language: a quarter of
        /// a second keeps the count of writes low with thousands of listeners, and the synthesizer
        /// makes that much in a few milliseconds, so the first chunk is not later for it.
        static let chunkDuration = 0.25

        func publishPartial(_ text: String, segmentIndex: Int, startTime: Double, endTime: Double) async {
            guard let translation = await translate(text) else { return }
            await session.publishCaption(
                Caption(segmentIndex: segmentIndex, sourceText: text, isFinal: false, startTime: startTime, endTime: endTime),
                language: language, text: translation)
        }

        func publishFinal(_ segment: TranscriptSegment) async {
            guard let translation = await translate(segment.sourceText) else { return }
            do {
                try await store.insertTranslation(sessionId: segment.sessionId, segmentIndex: segment.index, language: language, text: translation)
            } catch {
                logger.error("Could not store a translation; it is still published", metadata: ["language": "\(language)", "error": "\(error)"])
            }
            await session.publishCaption(Caption(segment: segment, isFinal: true), language: language, text: translation)
            guard engines.canSpeak(language) else { return }
            let formats = await session.audioFormats(wanted: language)
            guard !formats.isEmpty else { return }
            await speak(translation, segmentIndex: segment.index, encodeOpus: formats.contains(.opus))
        }

        private func translate(_ text: String) async -> String? {
            let started = ContinuousClock.now
            do {
                let translation = try await engines.translator.translate(text, from: sourceLanguage.rawValue, to: language.rawValue)
                ServerMetrics.stageDuration(.translation).recordElapsed(since: started)
                return translation
            } catch {
                await session.reportEngineFailure(stage: "translation to \(language)", error: error)
                return nil
            }
        }

        /// Synthesizes a segment's speech and publishes it chunk by chunk; with `encodeOpus`, each
        /// chunk is also encoded here, once for all of the language's Opus listeners.
        private func speak(_ text: String, segmentIndex: Int, encodeOpus: Bool) async {
            let started = ContinuousClock.now
            do {
                let speech = try await engines.synthesizer.synthesize(text, language: language.rawValue)
                let encoder = encodeOpus ? try OpusEncoder(inputRate: speech.sampleRate, bitrate: opusBitrate) : nil
                let chunkLength = Int(Double(speech.sampleRate) * Self.chunkDuration)
                var pending: [Int16] = []
                var chunkIndex = 0
                // The volume of the moment is applied before encoding: Opus listeners cannot scale packets.
                func publish(isLast: Bool) async throws {
                    let volume = await session.speechVolume
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
                    pending += samples
                    guard pending.count >= chunkLength else { continue }
                    if chunkIndex == 0 { ServerMetrics.stageDuration(.synthesis).recordElapsed(since: started) }
                    try await publish(isLast: false)
                }
                try await publish(isLast: true)
            } catch {
                await session.reportEngineFailure(stage: "speech synthesis in \(language)", error: error)
            }
        }
    }
}
