import DragomanCore
import DragomanServer
import DragomanStore
import Foundation
import Logging
import Synchronization

/// How many relayed frames, and their notifications, one PostgreSQL carries between nodes: for
/// `dragoman bench crossnode`. Each sender is a node's relay (`PostgresCluster`), writing frames
/// of the size of a caption one at a time (a NOTIFY each, as a node under light load does); one connection LISTENs and counts.
enum CrossNodeThroughput {
    /// Frames written and notifications received a second.
    struct Rates: Sendable {
        var framesPerSecond: Double
        var notificationsPerSecond: Double
    }

    static func measure(store: PostgresStore, senders: Int, duration: Duration, payloadBytes: Int = 300, logger: Logger) async throws -> Rates {
        let received = Atomic<Int>(0)
        let listener = try await store.location.connect(logger: logger)
        let counting = Task {
            try await listener.listen(on: PostgresCluster.channel) { notifications in
                for try await _ in notifications { received.add(1, ordering: .relaxed) }
            }
        }
        // Let the LISTEN take effect before the clock starts.
        try await Task.sleep(for: .milliseconds(200))
        let nodes = (0..<senders).map { _ in PostgresCluster(store: store, heartbeat: 5, logger: logger) }
        let frame = RelayedFrame(
            sessionId: "bench-throughput-1", audience: .caption, language: "es", sequence: 1, payload: Array(repeating: 0x61, count: payloadBytes))
        let start = ContinuousClock.now
        let written = try await withThrowingTaskGroup(of: Int.self) { group in
            for node in nodes {
                group.addTask {
                    var count = 0
                    while ContinuousClock.now - start < duration {
                        try await node.insert([frame])
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = ContinuousClock.now - start
        // Notifications still on their way are counted for a moment longer.
        try await Task.sleep(for: .milliseconds(500))
        counting.cancel()
        try? await listener.close()
        _ = await counting.result
        try await store.client.query("DELETE FROM relayed_frames WHERE session_id = 'bench-throughput-1'", logger: logger)
        let seconds = elapsed.inSeconds
        return Rates(framesPerSecond: Double(written) / seconds, notificationsPerSecond: Double(received.load(ordering: .relaxed)) / seconds)
    }
}
