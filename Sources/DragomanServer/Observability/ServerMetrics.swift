import DragomanCore
import Metrics

/// The server's metrics, named once here so `/metrics` and docs/architecture.md agree on them.
/// They go through swift-metrics; `ServerMetrics.bootstrap()` makes Prometheus their backend
/// (ServerMetrics+Prometheus.swift).
public enum ServerMetrics {
    /// Open WebSocket connections, by role.
    static func connections(_ role: Role) -> Meter { connectionMeters[role]! }

    // Made once (on first use, after `bootstrap`): these are touched on every connect and every
    // message fanned out, where looking a metric up in the registry each time would cost a lock.
    private static let connectionMeters = Dictionary(
        uniqueKeysWithValues: Role.allCases.map {
            ($0, Meter(label: "dragoman_connections", dimensions: [("role", $0.rawValue)]))
        })
    private static let stageTimers = Dictionary(
        uniqueKeysWithValues: Stage.allCases.map {
            ($0, Timer(label: "dragoman_stage_duration_seconds", dimensions: [("stage", $0.rawValue)], preferredDisplayUnit: .seconds))
        })

    /// Sessions in memory (not ended).
    static let liveSessions = Meter(label: "dragoman_live_sessions")

    /// Final segments recognized.
    static let segments = Counter(label: "dragoman_segments_total")

    /// How long one stage of the pipeline took for one segment (or one message, for fan-out).
    static func stageDuration(_ stage: Stage) -> Timer { stageTimers[stage]! }

    /// The stages timed by `stageDuration`.
    enum Stage: String, CaseIterable {
        /// End of speech to the final text of the segment.
        case recognition
        /// One segment (or partial) into one language.
        case translation
        /// Text to the first chunk of speech.
        case synthesis
        /// One message queued for every listener of its language.
        case fanout
    }

    /// Messages not queued for a client whose queue was full.
    static let droppedMessages = Counter(label: "dragoman_dropped_messages_total")

    /// Requests and connects refused by a limit, by which limit.
    static func rateLimitRejections(_ limit: String) -> Counter {
        Counter(label: "dragoman_rate_limit_rejections_total", dimensions: [("limit", limit)])
    }

    /// Writes the store refused (each attempt counts).
    static let storeWriteFailures = Counter(label: "dragoman_store_write_failures_total")
    /// Writes held for a store that refused them, retried until it takes them.
    static let storeWritesHeld = Recorder(label: "dragoman_store_writes_held", aggregate: false)
    /// Held writes given up: too many held, or the server stopped before the store came back.
    static let storeWritesLost = Counter(label: "dragoman_store_writes_lost_total")

    /// Engine calls that failed, by pipeline stage.
    static func engineFailures(_ stage: String) -> Counter {
        Counter(label: "dragoman_engine_failures_total", dimensions: [("stage", stage)])
    }
}

extension Timer {
    /// Records the time from `start` to now.
    func recordElapsed(since start: ContinuousClock.Instant) {
        record(duration: ContinuousClock.now - start)
    }
}
