import Hummingbird
import Prometheus

/// `GET /metrics`: every metric of `ServerMetrics` (and of the libraries that report through
/// swift-metrics) in the Prometheus text format.
struct MetricsController: Sendable {
    let registry: PrometheusCollectorRegistry

    func addRoutes(to router: Router<DragomanRequestContext>) {
        router.get("metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }
}
