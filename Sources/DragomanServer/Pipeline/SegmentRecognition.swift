import DragomanCore
import DragomanSpeech
import DragomanStore
import Foundation

/// The recognition half of a pipeline: segments the speaker's audio, recognizes each segment,
/// commits it unit by unit (`StreamingCommitter`), stores each unit and hands it to the language
/// streams. Owned by the pipeline's task alone.
///
/// While the speaker talks, the recognizer's running hypothesis is given to the committer every
/// `hypothesisInterval` of audio and when a short pause begins: units it commits are published as
/// final captions at once, without waiting for the segment to end, and the provisional rest as
/// partial captions. With `unitWords` 0 the whole segment is one unit, published when it ends.
///
/// A recognizer whose final pass is better than its partials (pocketsphinx) decodes in windows
/// cut at the short pauses instead: when the speaker stops for `unitPause`, the window's final
/// pass commits what its partials had not, and a new window starts. A speaker who pauses between
/// sentences gets each sentence from the final pass, as with whole segments, but a quarter of a
/// second sooner (the pause that ends a unit is shorter than the one that ends a segment). A
/// speaker who says `unitWords` words or more without stopping for `segmentPause` runs
/// sentences together: from then on, and after their next stop too (a habit outlasts one
/// pause), their windows are cut sooner, at the first gap between words once they hold
/// `StreamingCommitter.Configuration.gapCutWords` words not yet committed
/// (`StreamingCommitter.endsWindow`).
struct SegmentRecognition {
    private let pipeline: SessionPipeline
    private let emit: AsyncStream<PipelineOutput>.Continuation
    private var segmenter: VoiceActivitySegmenter
    private var resampler: LinearResampler?
    private var recognition: (any RecognitionSession)?
    /// Samples (16 kHz) taken by the segmenter since the pipeline started: the session's audio clock.
    private var samplesReceived = 0
    private var segmentStartSample = 0
    private var segmentIndex: Int
    private var committer: StreamingCommitter
    /// Where the next unit of the segment under way starts (16 kHz samples).
    private var unitStartSample = 0
    /// The audio clock of the last hypothesis given to the committer.
    private var lastHypothesisSample = 0
    /// Whether the committer was told of the quiet under way.
    private var pauseReported = false
    /// Words committed since the speaker last stopped for `segmentPause` (a segment that ended at
    /// its maximum length does not count as a stop).
    private var wordsSinceStop = 0
    /// Whether the speaker said `unitWords` words or more before their last stop.
    private var ranOnBeforeStop = false
    /// Whether the recognizer's window has heard speech: one started at a pause may hear only
    /// the rest of that pause, and its transcript of quiet is not worth committing.
    private var windowHeardSpeech = false
    private var lastPartial = ""
    private var lastPartialAt = 0.0
    /// Pause and mute stop the flow: audio is ignored until it flows again.
    var isFlowing = true

    /// The segmenter is fed this many samples at a time (20 ms), so the clock is that precise
    /// when a segment ends.
    private static let stepLength = PCM.speechSampleRate / 50
    /// The committer gets a hypothesis every quarter of a second of speech: LocalAgreement-2 then
    /// settles a word about half a second after it is first heard.
    private static let hypothesisInterval = PCM.speechSampleRate / 4

    init(pipeline: SessionPipeline, firstSegmentIndex: Int, emit: AsyncStream<PipelineOutput>.Continuation) {
        self.pipeline = pipeline
        self.emit = emit
        self.segmentIndex = firstSegmentIndex - 1
        var configuration = VoiceActivitySegmenter.Configuration()
        configuration.pauseDuration = .seconds(pipeline.settings.segmentPause)
        configuration.maximumSegmentDuration = .seconds(pipeline.settings.maximumSegmentLength)
        self.segmenter = VoiceActivitySegmenter(configuration: configuration)
        self.committer = StreamingCommitter(configuration: Self.committing(pipeline.settings, limit: nil))
    }

    /// How units are cut: at most `unitWords` words, or the recognizer's `limit` where fewer.
    private static func committing(_ settings: ServerConfiguration, limit: Int?) -> StreamingCommitter.Configuration {
        var configuration = StreamingCommitter.Configuration()
        if settings.unitWords > 0 { configuration.maximumUnitWords = min(settings.unitWords, limit ?? settings.unitWords) }
        return configuration
    }

    private var isStreaming: Bool { pipeline.settings.unitWords > 0 }

    /// Seconds of session audio at a sample offset.
    private func seconds(_ sample: Int) -> Double { Double(sample) / Double(PCM.speechSampleRate) }

    /// Takes a chunk of the speaker's PCM at `sampleRate`; returns what the segmenter made of it,
    /// each event with the audio clock and the quiet under way (seconds) at the step that caused
    /// it: read once the whole chunk is segmented, the quiet would be that at the chunk's end, and
    /// a gap between words inside a chunk would go unseen.
    mutating func ingest(_ samples: [Int16], sampleRate: Int) -> [(VoiceActivitySegmenter.Event, clock: Int, quiet: Double)] {
        guard isFlowing else { return [] }
        var audio = samples
        if sampleRate != PCM.speechSampleRate {
            if resampler?.inputRate != sampleRate { resampler = LinearResampler(from: sampleRate, to: PCM.speechSampleRate) }
            audio = resampler!.process(samples)
        }
        var events: [(VoiceActivitySegmenter.Event, clock: Int, quiet: Double)] = []
        var start = 0
        while start < audio.count {
            let end = min(start + Self.stepLength, audio.count)
            samplesReceived += end - start
            events += segmenter.process(Array(audio[start..<end])).map { ($0, samplesReceived, segmenter.quietDuration) }
            start = end
        }
        return events
    }

    /// Finishes the segment under way, so the audio already received is still transcribed.
    mutating func flush(streams: inout LanguageStreams, group: inout DiscardingTaskGroup) async {
        for event in segmenter.finish() {
            await handle((event, samplesReceived, segmenter.quietDuration), streams: &streams, group: &group)
        }
    }

    mutating func handle(
        _ step: (event: VoiceActivitySegmenter.Event, clock: Int, quiet: Double), streams: inout LanguageStreams, group: inout DiscardingTaskGroup
    ) async {
        switch step.event {
        case .speechStarted(let sample):
            segmentStartSample = sample
            unitStartSample = sample
            lastHypothesisSample = sample
            lastPartial = ""
            // Every segment is a new recognizer window; a failed one may have left words behind.
            recognition = await startRecognition()
            committer = StreamingCommitter(configuration: Self.committing(pipeline.settings, limit: recognition?.unitWordLimit))
            windowHeardSpeech = true
        case .audio(let samples):
            await recognize(samples, clock: step.clock, quiet: step.quiet, streams: &streams, group: &group)
        case .segmentEnded(let end):
            // A pause is only known once it has lasted `segmentPause`; the speech ended when it began.
            let trailingQuiet = end == .pause ? Int(pipeline.settings.segmentPause * Double(PCM.speechSampleRate)) : 0
            await finishWindow(speechEndSample: step.clock - trailingQuiet, streams: &streams, group: &group)
            if end != .maximumLength {
                ranOnBeforeStop = wordsSinceStop >= committer.configuration.maximumUnitWords
                wordsSinceStop = 0
            }
        }
    }

    private func startRecognition() async -> (any RecognitionSession)? {
        do {
            return try await pipeline.engines.recognizer.makeSession(language: pipeline.sourceLanguage.rawValue)
        } catch {
            pipeline.failed("speech recognition", error, emit: emit)
            return nil
        }
    }

    private mutating func recognize(_ samples: [Int16], clock: Int, quiet: Double, streams: inout LanguageStreams, group: inout DiscardingTaskGroup) async {
        guard let recognition else { return }
        let partial: String?
        do {
            partial = try await recognition.feed(samples)
        } catch {
            // A failed recognizer is dropped; the next segment starts a fresh one.
            self.recognition = nil
            pipeline.failed("speech recognition", error, emit: emit)
            return
        }
        if quiet == 0 {
            pauseReported = false
            windowHeardSpeech = true
        }
        guard let partial else { return }
        guard isStreaming else { return publishPartial(partial, clock: clock, streams: &streams, group: &group) }
        let pauseBegins = !pauseReported && quiet >= committer.configuration.unitPause
        let runsOn = ranOnBeforeStop || wordsSinceStop >= committer.configuration.maximumUnitWords
        if recognition.prefersCutsAtPauses, !pauseReported, committer.endsWindow(afterQuiet: quiet, hypothesis: Self.words(partial), speakerRunsOn: runsOn) {
            pauseReported = true
            await finishWindow(speechEndSample: clock - Int(quiet * Double(PCM.speechSampleRate)), streams: &streams, group: &group)
            self.recognition = await startRecognition()
            windowHeardSpeech = false
            return
        }
        guard pauseBegins || clock - lastHypothesisSample >= Self.hypothesisInterval else { return }
        lastHypothesisSample = clock
        var update = committer.handle(.hypothesis(Self.words(partial), at: seconds(clock)))
        if pauseBegins {
            pauseReported = true
            let atPause = committer.handle(.pause(duration: quiet))
            update = StreamingUpdate(committed: update.committed + atPause.committed, provisional: atPause.provisional)
        }
        await publish(update.committed, speechEndSample: nil, streams: &streams, group: &group)
        publishPartial(update.provisional.joined(separator: " "), clock: clock, streams: &streams, group: &group)
    }

    private static func words(_ text: String) -> [String] {
        text.split(whereSeparator: \.isWhitespace).map(String.init)
    }

    /// A provisional caption of what follows the last unit, at most every `partialInterval`.
    private mutating func publishPartial(_ text: String, clock: Int, streams: inout LanguageStreams, group: inout DiscardingTaskGroup) {
        let now = MonotonicTime.seconds
        guard !text.isEmpty, text != lastPartial, now - lastPartialAt >= pipeline.settings.partialInterval else { return }
        lastPartial = text
        lastPartialAt = now
        let caption = Caption(segmentIndex: segmentIndex + 1, sourceText: text, isFinal: false, startTime: seconds(unitStartSample), endTime: seconds(clock))
        emit.yield(.caption(caption, language: pipeline.sourceLanguage, text: text))
        for stream in streams.active(group: &group) {
            stream.translatePartial(caption)
        }
    }

    /// Ends the recognizer's window (at the end of a segment, or at a short pause) and commits
    /// the rest of what it heard from its final pass.
    private mutating func finishWindow(speechEndSample: Int, streams: inout LanguageStreams, group: inout DiscardingTaskGroup) async {
        guard let recognition else { return }
        self.recognition = nil
        let text: String
        let started = ContinuousClock.now
        do {
            text = try await recognition.finish().trimmingCharacters(in: .whitespacesAndNewlines)
            ServerMetrics.stageDuration(.recognition).recordElapsed(since: started)
        } catch {
            pipeline.failed("speech recognition", error, emit: emit)
            return
        }
        guard windowHeardSpeech else { return }
        let end = seconds(speechEndSample)
        let units = committer.handle(.final(Self.words(text), at: end)).committed
        await publish(units, speechEndSample: speechEndSample, streams: &streams, group: &group)
    }

    /// Stores and publishes committed units, each as a segment of its own, and hands them to the
    /// language streams. A unit runs from where the last one ended to when its last word was first
    /// heard; the last unit of a segment to the end of its speech.
    private mutating func publish(_ units: [StreamingUnit], speechEndSample: Int?, streams: inout LanguageStreams, group: inout DiscardingTaskGroup) async {
        for (number, unit) in units.enumerated() {
            let heard = Int(unit.endTime * Double(PCM.speechSampleRate))
            let endSample = max(unitStartSample, number == units.count - 1 ? speechEndSample ?? heard : heard)
            ServerMetrics.segments.increment()
            segmentIndex += 1
            let segment = TranscriptSegment(
                sessionId: pipeline.sessionId, index: segmentIndex, startTime: seconds(unitStartSample), endTime: seconds(endSample),
                sourceLanguage: pipeline.sourceLanguage, sourceText: unit.text)
            unitStartSample = endSample
            wordsSinceStop += unit.words.count
            lastPartial = ""
            await pipeline.keep("segment \(segment.index) of session \(segment.sessionId)", emit: emit) { try await $0.insertSegment(segment) }
            emit.yield(.caption(Caption(segment: segment, isFinal: true), language: pipeline.sourceLanguage, text: unit.text))
            for stream in streams.active(group: &group) {
                stream.translateFinal(segment)
            }
        }
    }
}
