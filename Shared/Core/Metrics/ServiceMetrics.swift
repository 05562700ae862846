public import Hummingbird
import Metrics
public import Prometheus

/// The service's Prometheus registry and the swift-metrics factory writing into it.
///
/// Each service owns one; `GET /metrics` renders it. The bootstrap also installs the factory as
/// the process-wide swift-metrics backend, so metrics recorded by libraries land in the same registry.
public struct ServiceMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let factory: PrometheusMetricsFactory

    public init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
        self.factory = factory
    }

    /// The registry in Prometheus text exposition format.
    public func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}

/// Counts requests by method, route and status, times them, and tracks requests in flight:
/// `http_requests_total`, `http_request_duration_seconds`, `http_requests_in_flight`.
/// The route label is the matched route pattern (`/products/{id}`), never the raw path, so the
/// number of series stays bounded.
public struct MetricsMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext
    let factory: PrometheusMetricsFactory
    let inFlight: Meter

    public init(metrics: ServiceMetrics) {
        self.factory = metrics.factory
        self.inFlight = Meter(label: "http_requests_in_flight", dimensions: [], factory: metrics.factory)
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        inFlight.increment()
        defer { inFlight.decrement() }
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let route = context.endpointPath ?? "unmatched"
        let method = request.method.rawValue
        Counter(label: "http_requests_total", dimensions: [("method", method), ("route", route), ("status", String(response.status.code))], factory: factory)
            .increment()
        Metrics.Timer(label: "http_request_duration_seconds", dimensions: [("method", method), ("route", route)], factory: factory)
            .recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        return response
    }
}
