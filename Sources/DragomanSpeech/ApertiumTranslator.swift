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

    /// Creates a translator over `catalog`'s modes.
    ///
    /// Writing to a pipeline that has just died raises SIGPIPE, which would end the whole
    /// server; so this ignores SIGPIPE for the process (as servers generally do) and handles
    /// the failed write as an error instead.
    ///
    /// - Parameter timeout: how long one request may take before its pipeline is considered
    ///   stalled and restarted. It includes starting the pipeline on first use.
    public init(catalog: ApertiumModeCatalog, timeout: Duration = .seconds(5), logger: Logger = Logger(label: "dragoman.apertium")) {
        signal(SIGPIPE, SIG_IGN)
        self.catalog = catalog
        self.timeout = timeout
        self.logger = logger
    }

    public var supportedPairs: Set<TranslationPair> { catalog.supportedPairs }

    public func translate(_ text: String, from source: String, to target: String) async throws -> String {
        let pair = TranslationPair(source: LanguageTag.primary(source), target: LanguageTag.primary(target))
        guard let route = catalog.route(from: pair.source, to: pair.target) else {
            throw ApertiumError.unsupportedPair(pair)
        }
        var translation = text
        for hop in route where !translation.allSatisfy(\.isWhitespace) {
            translation = try await pipeline(for: hop).translate(translation)
        }
        return translation
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
