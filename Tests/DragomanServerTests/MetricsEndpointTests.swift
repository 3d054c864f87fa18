import DragomanCore
import Testing

/// `GET /metrics` in the Prometheus text format.
@Suite("Metrics")
struct MetricsEndpointTests {
    @Test("/metrics counts the open connections by role and the live sessions, and documents each metric")
    func metricsExposition() async throws {
        try await TestServer.run { server in
            let (_, sessionId, _) = try await server.speaker()
            _ = try await server.listener(sessionId)
            let response = try await server.http(.GET, "/metrics")
            #expect(response.code == 200)
            #expect(response.headers["content-type"].first?.hasPrefix("text/plain") == true)
            // Other suites run at the same time in this process, so counts are at least ours.
            #expect(value(of: #"dragoman_connections{role="listener"}"#, in: response.body) ?? 0 >= 1)
            #expect(value(of: #"dragoman_connections{role="speaker"}"#, in: response.body) ?? 0 >= 1)
            #expect(value(of: "dragoman_live_sessions", in: response.body) ?? 0 >= 1)
            #expect(response.body.contains("# TYPE dragoman_connections gauge"))
        }
    }

    private func value(of series: String, in exposition: String) -> Double? {
        exposition.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }
}
