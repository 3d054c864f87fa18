import Metrics
import Prometheus

extension ServerMetrics {
    private static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// Makes Prometheus the metrics backend of the process (once; later calls return the same
    /// registry) and returns the registry `/metrics` renders. Call it before any metric is made:
    /// a metric made earlier goes nowhere.
    @discardableResult
    public static func bootstrap() -> PrometheusCollectorRegistry { registry }
}
