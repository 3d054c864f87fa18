import DragomanCore
import Synchronization

/// The audience a pipeline was last told of, shared by its language streams, which read it when
/// they synthesize and scale speech: the session pushes it, no stream ever asks the session.
final class AudienceBox: Sendable {
    private let audience = Mutex(PipelineAudience())

    func set(_ audience: PipelineAudience) {
        self.audience.withLock { $0 = audience }
    }

    /// The formats `language`'s listeners want speech in now; empty when none does.
    func formats(of language: LanguageCode) -> Set<ListenerAudioFormat> {
        audience.withLock { $0.languages[language] ?? [] }
    }

    var volume: Double { audience.withLock(\.volume) }
}
