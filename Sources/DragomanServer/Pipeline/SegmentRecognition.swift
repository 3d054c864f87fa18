import DragomanCore
import DragomanSpeech
import DragomanStore
import Foundation

/// The recognition half of a pipeline: segments the speaker's audio, recognizes each segment,
/// stores it and hands it to the language streams. Owned by the pipeline's task alone.
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
    private var lastPartial = ""
    private var lastPartialAt = 0.0
    /// Pause and mute stop the flow: audio is ignored until it flows again.
    var isFlowing = true

    /// The segmenter is fed this many samples at a time (20 ms), so the clock is that precise
    /// when a segment ends.
    private static let stepLength = PCM.speechSampleRate / 50

    init(pipeline: SessionPipeline, firstSegmentIndex: Int, emit: AsyncStream<PipelineOutput>.Continuation) {
        self.pipeline = pipeline
        self.emit = emit
        self.segmentIndex = firstSegmentIndex - 1
        var configuration = VoiceActivitySegmenter.Configuration()
        configuration.pauseDuration = .seconds(pipeline.settings.segmentPause)
        configuration.maximumSegmentDuration = .seconds(pipeline.settings.maximumSegmentLength)
        self.segmenter = VoiceActivitySegmenter(configuration: configuration)
    }

    /// Seconds of session audio at a sample offset.
    private func seconds(_ sample: Int) -> Double { Double(sample) / Double(PCM.speechSampleRate) }

    /// Takes a chunk of the speaker's PCM at `sampleRate`; returns what the segmenter made of it,
    /// each event with the audio clock at the step that caused it.
    mutating func ingest(_ samples: [Int16], sampleRate: Int) -> [(VoiceActivitySegmenter.Event, clock: Int)] {
        guard isFlowing else { return [] }
        var audio = samples
        if sampleRate != PCM.speechSampleRate {
            if resampler?.inputRate != sampleRate { resampler = LinearResampler(from: sampleRate, to: PCM.speechSampleRate) }
            audio = resampler!.process(samples)
        }
        var events: [(VoiceActivitySegmenter.Event, clock: Int)] = []
        var start = 0
        while start < audio.count {
            let end = min(start + Self.stepLength, audio.count)
            samplesReceived += end - start
            events += segmenter.process(Array(audio[start..<end])).map { ($0, samplesReceived) }
            start = end
        }
        return events
    }

    /// Finishes the segment under way, so the audio already received is still transcribed.
    mutating func flush(streams: inout LanguageStreams, group: inout DiscardingTaskGroup) async {
        for event in segmenter.finish() {
            await handle((event, samplesReceived), streams: &streams, group: &group)
        }
    }

    mutating func handle(_ step: (event: VoiceActivitySegmenter.Event, clock: Int), streams: inout LanguageStreams, group: inout DiscardingTaskGroup) async {
        switch step.event {
        case .speechStarted(let sample):
            segmentStartSample = sample
            lastPartial = ""
            recognition = await startRecognition()
        case .audio(let samples):
            await recognize(samples, clock: step.clock, streams: &streams, group: &group)
        case .segmentEnded(let end):
            // A pause is only known once it has lasted `segmentPause`; the speech ended when it began.
            let trailingQuiet = end == .pause ? Int(pipeline.settings.segmentPause * Double(PCM.speechSampleRate)) : 0
            await finishSegment(speechEndSample: step.clock - trailingQuiet, streams: &streams, group: &group)
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

    private mutating func recognize(_ samples: [Int16], clock: Int, streams: inout LanguageStreams, group: inout DiscardingTaskGroup) async {
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
        let now = MonotonicTime.seconds
        guard let partial, partial != lastPartial, now - lastPartialAt >= pipeline.settings.partialInterval else { return }
        lastPartial = partial
        lastPartialAt = now
        let caption = Caption(
            segmentIndex: segmentIndex + 1, sourceText: partial, isFinal: false, startTime: seconds(segmentStartSample), endTime: seconds(clock))
        emit.yield(.caption(caption, language: pipeline.sourceLanguage, text: partial))
        for stream in streams.active(group: &group) {
            stream.translatePartial(caption)
        }
    }

    private mutating func finishSegment(speechEndSample: Int, streams: inout LanguageStreams, group: inout DiscardingTaskGroup) async {
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
        guard !text.isEmpty else { return }
        ServerMetrics.segments.increment()
        segmentIndex += 1
        let segment = TranscriptSegment(
            sessionId: pipeline.sessionId, index: segmentIndex, startTime: seconds(segmentStartSample),
            endTime: seconds(max(segmentStartSample, speechEndSample)), sourceLanguage: pipeline.sourceLanguage, sourceText: text)
        do {
            try await pipeline.store.insertSegment(segment)
        } catch {
            pipeline.logger.error("Could not store a segment; it is still published", metadata: ["error": "\(error)"])
        }
        emit.yield(.caption(Caption(segment: segment, isFinal: true), language: pipeline.sourceLanguage, text: text))
        for stream in streams.active(group: &group) {
            stream.translateFinal(segment)
        }
    }
}
