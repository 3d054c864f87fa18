import DragomanCore
import DragomanSpeech
import DragomanStore
import Foundation
import Logging

/// The speech path of one session: speaker audio → segmenter → recognizer, then each final segment
/// is stored and handed to one `LanguageStream` per language that has listeners.
actor SessionPipeline {
    private let session: LiveSession
    private let engines: SpeechEngines
    private let store: any DragomanStore
    private let settings: ServerConfiguration
    private let logger: Logger
    private let sourceLanguage: LanguageCode

    private var segmenter: VoiceActivitySegmenter
    private var resampler: LinearResampler?
    private var recognition: (any RecognitionSession)?
    private var streams: [LanguageCode: LanguageStream] = [:]
    /// Samples (16 kHz) taken by the segmenter since the pipeline started: the session's audio clock.
    private var samplesReceived = 0
    /// The segmenter is fed this many samples at a time (20 ms), so the clock is that precise
    /// when a segment ends.
    private static let stepLength = PCM.speechSampleRate / 50
    private var segmentStartSample = 0
    private var segmentIndex: Int
    private var lastPartial = ""
    private var lastPartialAt = 0.0
    private var isFlowing = true
    /// Segments being finished (recognized, stored, handed to the streams) now, and who waits for
    /// none to be.
    private var finalsInProgress = 0
    private var finalsDone: [CheckedContinuation<Void, Never>] = []

    init(session: LiveSession, engines: SpeechEngines, store: any DragomanStore, settings: ServerConfiguration, firstSegmentIndex: Int, logger: Logger) {
        self.session = session
        self.engines = engines
        self.store = store
        self.settings = settings
        self.logger = logger
        self.sourceLanguage = session.record.sourceLanguage
        self.segmentIndex = firstSegmentIndex - 1
        var configuration = VoiceActivitySegmenter.Configuration()
        configuration.pauseDuration = .milliseconds(Int(settings.segmentPause * 1000))
        configuration.maximumSegmentDuration = .milliseconds(Int(settings.maximumSegmentLength * 1000))
        self.segmenter = VoiceActivitySegmenter(configuration: configuration)
    }

    /// Seconds of session audio at a sample offset.
    private func seconds(_ sample: Int) -> Double { Double(sample) / Double(PCM.speechSampleRate) }

    // MARK: Input

    /// Takes a chunk of the speaker's PCM at `sampleRate`.
    func ingest(_ samples: [Int16], sampleRate: Int) async {
        guard isFlowing else { return }
        var audio = samples
        if sampleRate != PCM.speechSampleRate {
            if resampler?.inputRate != sampleRate { resampler = LinearResampler(from: sampleRate, to: PCM.speechSampleRate) }
            audio = resampler!.process(samples)
        }
        var start = 0
        while start < audio.count {
            let end = min(start + Self.stepLength, audio.count)
            samplesReceived += end - start
            await handle(segmenter.process(Array(audio[start..<end])))
            start = end
        }
    }

    /// Pause and mute stop the flow: the segment under way is finished and stored, and new audio
    /// is ignored until the flow resumes.
    func setFlowing(_ flowing: Bool) async {
        guard flowing != isFlowing else { return }
        if !flowing { await flush() }
        isFlowing = flowing
    }

    /// Finishes the segment under way (the speaker dropped, paused or the session ends), so the
    /// audio already received is still transcribed.
    func flush() async {
        await handle(segmenter.finish())
    }

    private func handle(_ events: [VoiceActivitySegmenter.Event]) async {
        for event in events {
            switch event {
            case .speechStarted(let sample):
                segmentStartSample = sample
                lastPartial = ""
                recognition = await startRecognition()
            case .audio(let samples):
                await recognize(samples)
            case .segmentEnded(let end):
                // A pause is only known once it has lasted `segmentPause`; the speech ended when it began.
                let trailingQuiet = end == .pause ? segmenter.configuration.pauseDuration : .zero
                await finishSegment(speechEndSample: samplesReceived - samples(in: trailingQuiet))
            }
        }
    }

    // MARK: Recognition

    private func startRecognition() async -> (any RecognitionSession)? {
        do {
            return try await engines.recognizer.makeSession(language: sourceLanguage.rawValue)
        } catch {
            await engineFailed("speech recognition", error)
            return nil
        }
    }

    private func recognize(_ samples: [Int16]) async {
        guard let recognition else { return }
        let partial: String?
        do {
            partial = try await recognition.feed(samples)
        } catch {
            // A failed recognizer is dropped; the next segment starts a fresh one.
            self.recognition = nil
            await engineFailed("speech recognition", error)
            return
        }
        let now = MonotonicTime.seconds
        guard let partial, partial != lastPartial, now - lastPartialAt >= settings.partialInterval else { return }
        lastPartial = partial
        lastPartialAt = now
        let index = segmentIndex + 1
        await session.publishCaption(
            Caption(segmentIndex: index, sourceText: partial, isFinal: false, startTime: seconds(segmentStartSample), endTime: seconds(samplesReceived)),
            language: sourceLanguage, text: partial)
        for (_, stream) in await activeStreams() {
            stream.translatePartial(partial, segmentIndex: index, startTime: seconds(segmentStartSample), endTime: seconds(samplesReceived))
        }
    }

    private func samples(in duration: Duration) -> Int {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return Int(seconds * Double(PCM.speechSampleRate))
    }

    private func finishSegment(speechEndSample: Int) async {
        guard let recognition else { return }
        self.recognition = nil
        finalsInProgress += 1
        defer {
            finalsInProgress -= 1
            if finalsInProgress == 0 {
                for waiter in finalsDone { waiter.resume() }
                finalsDone.removeAll()
            }
        }
        let text: String
        let started = ContinuousClock.now
        do {
            text = try await recognition.finish().trimmingCharacters(in: .whitespacesAndNewlines)
            ServerMetrics.stageDuration(.recognition).recordElapsed(since: started)
        } catch {
            await engineFailed("speech recognition", error)
            return
        }
        guard !text.isEmpty else { return }
        ServerMetrics.segments.increment()
        segmentIndex += 1
        let segment = TranscriptSegment(
            sessionId: session.id, index: segmentIndex, startTime: seconds(segmentStartSample), endTime: seconds(max(segmentStartSample, speechEndSample)),
            sourceLanguage: sourceLanguage, sourceText: text)
        do {
            try await store.insertSegment(segment)
        } catch {
            logger.error("Could not store a segment; it is still published", metadata: ["error": "\(error)"])
        }
        await session.publishCaption(Caption(segment: segment, isFinal: true), language: sourceLanguage, text: text)
        for (_, stream) in await activeStreams() {
            stream.translateFinal(segment)
        }
    }

    /// The streams of the languages that have listeners now; a language without listeners costs
    /// nothing, and one that gains a listener starts with the next segment.
    private func activeStreams() async -> [(LanguageCode, LanguageStream)] {
        let audience = await session.audience()
        for language in streams.keys where audience[language] == nil {
            streams.removeValue(forKey: language)?.stop()
        }
        return audience.keys.filter { $0 != sourceLanguage }.map { language in
            if let stream = streams[language] { return (language, stream) }
            let stream = LanguageStream(
                language: language, sourceLanguage: sourceLanguage, session: session, engines: engines, store: store,
                opusBitrate: settings.opusBitrate, speechLead: settings.speechLead, logger: logger)
            streams[language] = stream
            return (language, stream)
        }
    }

    private func engineFailed(_ stage: String, _ error: any Error) async {
        await session.reportEngineFailure(stage: stage, error: error)
    }

    /// Finishes the segment under way and lets every language stream translate, store, publish
    /// and speak what it was given, then ends the streams (the server is stopping).
    func drain() async {
        await flush()
        // A segment another caller began finishing (a speaker who dropped) must reach the streams first.
        while finalsInProgress > 0 {
            await withCheckedContinuation { finalsDone.append($0) }
        }
        let draining = streams.values
        streams.removeAll()
        for stream in draining { await stream.finish() }
    }

    /// Stops every language stream.
    func stop() {
        for stream in streams.values { stream.stop() }
        streams.removeAll()
    }
}
