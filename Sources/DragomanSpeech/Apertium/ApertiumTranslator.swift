import Foundation
import Logging
import Synchronization

/// Offline rule-based translation with Apertium's installed language pairs.
///
/// Each pair used gets one long-lived pipeline process (see ``ApertiumModeCatalog`` for what
/// is available); pairs with no direct mode go through a pivot language, e.g. English →
/// Spanish → French. A sentence takes a few milliseconds once its pipelines are running; the
/// first request for a pair also starts its pipeline, which takes a fraction of a second.
public final class ApertiumTranslator: Translator {
    /// The installed modes and how pairs are routed.
    public let catalog: ApertiumModeCatalog
    private let timeout: Duration
    private let logger: Logger
    private let pipelines = Mutex<[TranslationPair: ApertiumPipeline]>([:])

    /// Creates a translator over `catalog`'s modes. Pipelines start on first use, or on
    /// ``prepare(from:to:)``. Note that running a pipeline sets the process to ignore SIGPIPE.
    ///
    /// - Parameter timeout: how long one request may take before its pipeline is considered
    ///   stalled and restarted. It includes starting the pipeline on first use.
    public init(catalog: ApertiumModeCatalog, timeout: Duration = .seconds(5), logger: Logger = Logger(label: "dragoman.apertium")) {
        self.catalog = catalog
        self.timeout = timeout
        self.logger = logger
    }

    public var supportedPairs: Set<TranslationPair> { catalog.supportedPairs }

    public func translate(_ text: String, from source: String, to target: String) async throws -> String {
        var translation = text
        for hop in try route(from: source, to: target) where !translation.allSatisfy(\.isWhitespace) {
            translation = try await pipeline(for: hop).translate(translation)
        }
        return translation
    }

    /// Starts the pipelines that translating `source` into `target` needs and waits until
    /// they answer, so the first sentence is not slowed by loading dictionaries.
    public func prepare(from source: String, to target: String) async throws {
        for hop in try route(from: source, to: target) { try await pipeline(for: hop).prepare() }
    }

    private func route(from source: String, to target: String) throws -> [TranslationPair] {
        let pair = TranslationPair(source: LanguageTag.primary(source), target: LanguageTag.primary(target))
        guard let route = catalog.route(from: pair.source, to: pair.target) else {
            throw ApertiumError.unsupportedPair(pair)
        }
        return route
    }

    private func pipeline(for pair: TranslationPair) throws -> ApertiumPipeline {
        try pipelines.withLock { pipelines in
            if let pipeline = pipelines[pair] { return pipeline }
            let command = try catalog.pipelineCommand(for: pair)
            let pipeline = ApertiumPipeline(pair: pair, command: command, timeout: timeout, logger: logger)
            pipelines[pair] = pipeline
            return pipeline
        }
    }
}
