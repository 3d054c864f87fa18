import DragomanCore
import DragomanSpeech
import DragomanStore
import Foundation
import Logging

/// The speech path of one session, one way: it reads the speaker's audio and the audience from its
/// inputs, and emits captions, speech and failures on one stream. It never calls the session.
///
/// Audio → resampler → `VoiceActivitySegmenter` → recognizer; each final segment is stored and
/// handed to one `LanguageStream` per language with listeners, each a child task of `run`, as are
/// their pacers: stopping the task that runs the pipeline stops all of it.
struct SessionPipeline: Sendable {
    let sessionId: String
    let sourceLanguage: LanguageCode
    let engines: SpeechEngines
    let store: any DragomanStore
    /// Stores the transcript, holding what the store refuses (`StoreWriter`).
    let writer: StoreWriter
    let settings: ServerConfiguration
    let logger: Logger

    /// Runs until `inputs` ends (the session stopped it), or until a `drain` is done.
    func run(_ inputs: AsyncStream<PipelineInput>, emit: AsyncStream<PipelineOutput>.Continuation) async {
        // Segments are numbered after the last one stored by any node.
        let stored = (try? await store.transcript(sessionId: sessionId).last?.index) ?? 0
        let audience = AudienceBox()
        await withDiscardingTaskGroup { group in
            var recognition = SegmentRecognition(pipeline: self, firstSegmentIndex: stored + 1, emit: emit)
            var streams = LanguageStreams(pipeline: self, audience: audience, emit: emit)
            for await input in inputs {
                switch input {
                case .audio(let samples, let sampleRate):
                    for event in recognition.ingest(samples, sampleRate: sampleRate) {
                        await recognition.handle(event, streams: &streams, group: &group)
                    }
                case .flowing(let flowing):
                    if !flowing { await recognition.flush(streams: &streams, group: &group) }
                    recognition.isFlowing = flowing
                case .audience(let now):
                    streams.update(now)
                case .flush(let token):
                    await recognition.flush(streams: &streams, group: &group)
                    emit.yield(.flushed(token))
                case .drain:
                    await recognition.flush(streams: &streams, group: &group)
                    // The group waits for every stream to publish and speak what it was given.
                    streams.finishAll()
                    return
                }
            }
            streams.stopAll()
        }
    }

    /// Stores a part of the transcript through the writer; when the store refuses it, now or
    /// after the caption went out (it is held and retried), the session is told, to tell the speaker.
    func keep(_ what: String, emit: AsyncStream<PipelineOutput>.Continuation, _ write: @escaping StoreWriter.Write) async {
        await writer.write(what, whenHeld: { emit.yield(.storageHeld) }, write)
    }

    /// Reports an engine failure; the session tells the speaker.
    func failed(_ stage: String, _ error: any Error, emit: AsyncStream<PipelineOutput>.Continuation) {
        emit.yield(.failure(stage: stage, error: error))
    }
}
