import DragomanCore
import Foundation

/// A pipeline's language streams: one per target language with listeners, started as a child task
/// of the pipeline when a segment first needs it. A language without listeners costs nothing; one
/// whose last listener left is still translated, captions only, for `languageLinger` seconds, so a
/// listener who drops and comes back finds the captions of what it missed.
struct LanguageStreams {
    private let pipeline: SessionPipeline
    private let audience: AudienceBox
    private let emit: AsyncStream<PipelineOutput>.Continuation
    private var streams: [LanguageCode: LanguageStream] = [:]
    /// The languages of the audience last pushed.
    private var listened: Set<LanguageCode> = []
    /// When each language that has no listener now lost its last one (`MonotonicTime`).
    private var leftAt: [LanguageCode: Double] = [:]

    init(pipeline: SessionPipeline, audience: AudienceBox, emit: AsyncStream<PipelineOutput>.Continuation) {
        self.pipeline = pipeline
        self.audience = audience
        self.emit = emit
    }

    /// The session pushed a new audience.
    mutating func update(_ now: PipelineAudience) {
        audience.set(now)
        let languages = Set(now.languages.keys)
        let time = MonotonicTime.seconds
        for language in listened.subtracting(languages) { leftAt[language] = time }
        for language in languages { leftAt[language] = nil }
        listened = languages
    }

    /// The streams of the languages to translate now, started where missing; the streams of
    /// languages nobody listens to any more are stopped.
    mutating func active(group: inout DiscardingTaskGroup) -> [LanguageStream] {
        let now = MonotonicTime.seconds
        leftAt = leftAt.filter { now - $0.value < pipeline.settings.languageLinger }
        let wanted = listened.union(leftAt.keys).subtracting([pipeline.sourceLanguage])
        for language in streams.keys where !wanted.contains(language) {
            streams.removeValue(forKey: language)?.stop()
        }
        return wanted.map { language in
            if let stream = streams[language] { return stream }
            let stream = LanguageStream(language: language, pipeline: pipeline, audience: audience, emit: emit)
            streams[language] = stream
            group.addTask { await stream.run() }
            return stream
        }
    }

    /// Lets every stream finish what it was given, then end.
    mutating func finishAll() {
        for stream in streams.values { stream.finish() }
        streams.removeAll()
    }

    /// Stops every stream, dropping what it was given.
    mutating func stopAll() {
        for stream in streams.values { stream.stop() }
        streams.removeAll()
    }
}
