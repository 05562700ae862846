public import Hummingbird
public import Logging
public import ServiceLifecycle
public import Foundation
import Metrics
import Synchronization

/// Everything a Bazaar service needs to run, set up the same way for every service
/// (our counterpart of eShop's ServiceDefaults).
///
/// A service's `main` creates a host, adds its stores, health checks, background services and
/// routes, and runs it. The host provides configuration, JSON logs, request ids and traces,
/// access logs, Prometheus metrics, CORS, security headers, the body limit, problem+json errors,
/// bearer-token verification, `/health/*`, `/metrics`, `/openapi.json` and graceful shutdown.
public struct ServiceHost {
    /// The service's name as it appears in logs and metrics (`order`, `catalog`, ...).
    public let name: String
    /// The service's configuration source.
    public let settings: Settings
    public let http: HTTPSettings
    public let logger: Logger
    public let metrics: ServiceMetrics
    /// The access-token verifier: from `JWT_JWKS_URL` or `JWT_PUBLIC_KEY`, or the one given to
    /// ``verifyTokens(with:)``; nil when none is configured.
    public var tokenVerifier: TokenVerifier? { tokenVerifierSlot.current }
    /// Accounts recently disabled or given another role, whose older tokens are refused; kept
    /// current by `followAccountChanges` (BazaarMessaging) from `user.updated` events.
    public let accountStandings: AccountStandings
    private let tokenVerifierSlot: TokenVerifierSlot
    /// Add the service's routes here; the shared middleware already wraps them.
    public let router: Router<ServiceRequestContext>
    private let healthChecks = HealthChecksBox()
    /// The port the server listens on once it runs (`PORT`, or the one the system chose for `PORT=0`).
    public let listeningPort = ListeningPort()
    private(set) var backgroundServices: [any Service] = []
    private(set) var startupTasks: [@Sendable () async throws -> Void] = []
    private let startupGate = StartupGate()

    /// - Parameters:
    ///   - name: The service name.
    ///   - defaultPort: The port used when `PORT` is unset.
    ///   - settings: Configuration (the process environment unless a test passes its own).
    ///   - openAPIDocument: The bundled OpenAPI 3.1 document served at `/openapi.json`.
    ///   - logSink: Where log lines go (standard output unless a test captures them).
    /// - Throws: ``ConfigurationError`` naming the first invalid setting.
    public init(name: String, defaultPort: Int, settings: Settings = Settings(), openAPIDocument: URL?,
                logSink: any LogSink = StandardOutputLogSink()) throws {
        self.name = name
        self.settings = settings
        let http = try HTTPSettings.from(settings, defaultPort: defaultPort)
        self.http = http
        var logger = Logger(label: name) { _ in JSONLogHandler(service: name, level: http.logLevel, sink: logSink) }
        logger.logLevel = http.logLevel
        self.logger = logger
        self.metrics = ServiceMetrics()
        self.tokenVerifierSlot = TokenVerifierSlot(try AuthSettings.from(settings).map { try TokenVerifier(settings: $0, logger: logger) })
        self.accountStandings = AccountStandings(window: try settings.seconds("ACCOUNT_CHANGE_WINDOW_SECONDS", default: .seconds(3600)))
        // HEAD answers wherever GET does, with GET's headers and no body (RFC 9110 §9.3.2).
        self.router = Router(context: ServiceRequestContext.self, options: .autoGenerateHeadEndpoints)
        let openAPI = try openAPIDocument.map { url in
            do {
                let data = try Data(contentsOf: url)
                return (bytes: ByteBuffer(bytes: data), paths: try DocumentedPaths(openAPIDocument: data))
            } catch {
                throw ConfigurationError(variable: "openapi.json", problem: "bundled document could not be read at \(url.path): \(error)")
            }
        }
        installMiddleware(documentedPaths: openAPI?.paths)
        installOperationalRoutes(openAPI: openAPI?.bytes)
    }

    /// The shared middleware, outermost first. Order matters: the request id and metrics see the
    /// final status of every request, including errors the problem middleware rendered.
    private func installMiddleware(documentedPaths: DocumentedPaths?) {
        router.add(middleware: RequestIdentityMiddleware(trustedProxies: http.trustedProxies))
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        router.add(middleware: AccessLogMiddleware(mode: http.accessLog, slow: http.accessLogSlow))
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: OriginListCORSMiddleware(allowedOrigins: http.corsAllowedOrigins))
        router.add(middleware: ProblemMiddleware())
        if let documentedPaths { router.add(middleware: MethodNotAllowedMiddleware(paths: documentedPaths)) }
        router.add(middleware: BodyLimitMiddleware(limit: http.maxBodyBytes))
        router.add(middleware: AuthenticationMiddleware(slot: tokenVerifierSlot, standings: accountStandings))
    }

    private func installOperationalRoutes(openAPI: ByteBuffer?) {
        let live: @Sendable (Request, ServiceRequestContext) async throws -> Response = { _, _ in
            Self.json(HealthReport(status: "healthy", checks: [:]), status: .ok)
        }
        router.get("/health/live", use: live)
        // The checks are read when a probe arrives, so those added after init are included.
        let healthChecks = self.healthChecks
        let ready: @Sendable (Request, ServiceRequestContext) async throws -> Response = { _, _ in
            let report = await HealthMonitor(checks: healthChecks.checks).report()
            return Self.json(report, status: report.isHealthy ? .ok : .serviceUnavailable)
        }
        router.get("/health/ready", use: ready)
        router.get("/health", use: ready)
        let metrics = self.metrics
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
        router.get("/openapi.json") { _, _ in
            guard let openAPI else { throw ProblemError.notFound("This service publishes no OpenAPI document.") }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: openAPI))
        }
    }

    /// Verifies bearer tokens with `verifier` instead of the one configured by the environment
    /// (the user service trusts its own signing keys directly).
    public func verifyTokens(with verifier: TokenVerifier) {
        tokenVerifierSlot.replace(with: verifier)
    }

    /// Reports `check` at `/health/ready`.
    public func addHealthCheck(_ check: any HealthCheck) {
        healthChecks.append(check)
    }

    /// Runs `service` for the life of the process, from the start: what start-up tasks need
    /// themselves (a connection pool, a Kafka producer). Services stop in reverse order of adding,
    /// after the HTTP server has drained, so a store added first is still there for those added later.
    public mutating func addService(_ service: any Service) {
        backgroundServices.append(ReportedService(service: service, logger: logger))
    }

    /// Runs `work` (an outbox relay, a consumer, a cleanup) for the life of the process, starting
    /// only once every ``beforeServing(_:)`` task (migrations) has succeeded, so it never meets a
    /// schema that is not there yet. It stops in reverse order of adding, like ``addService(_:)``.
    public mutating func addBackgroundWork(_ work: any Service) {
        backgroundServices.append(ReportedService(service: GatedService(service: work, gate: startupGate), name: String(describing: type(of: work)),
                                                  logger: logger))
    }

    /// Runs `task` (e.g. migrations) after background services started and before the server
    /// accepts requests; a thrown error stops start-up.
    public mutating func beforeServing(_ task: @escaping @Sendable () async throws -> Void) {
        startupTasks.append(task)
    }

    /// The Hummingbird application, for tests and for ``run()``.
    public func makeApplication() -> some ApplicationProtocol {
        var application = Application(
            router: router,
            configuration: .init(address: .hostname(http.host, port: http.port), serverName: nil),
            services: backgroundServices,
            onServerRunning: { [listeningPort] channel in listeningPort.set(channel.localAddress?.port) },
            logger: logger
        )
        for task in startupTasks {
            application.beforeServerStarts(perform: task)
        }
        let gate = startupGate
        application.beforeServerStarts { gate.open() }
        return application
    }

    /// Runs the service until SIGTERM or SIGINT, then drains in-flight requests (bounded by
    /// `SHUTDOWN_GRACE_SECONDS`) and stops background services in order.
    public func run() async throws {
        Self.bootstrapProcessWide(metrics: metrics, logger: logger)
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: makeApplication())],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        configuration.maximumGracefulShutdownDuration = http.shutdownGracePeriod
        logger.info("starting", metadata: ["port": .stringConvertible(http.port)])
        try await ServiceGroup(configuration: configuration).run()
        logger.info("stopped")
    }

    /// Creates the host, lets `configure` add the service's parts, and runs it. A configuration
    /// error is logged naming the variable and exits with status 78 (EX_CONFIG); any other
    /// start-up or run failure exits with status 1.
    public static func main(name: String, defaultPort: Int, openAPIDocument: URL?,
                            configure: (inout ServiceHost) async throws -> Void) async {
        var host: ServiceHost?
        do {
            var created = try ServiceHost(name: name, defaultPort: defaultPort, openAPIDocument: openAPIDocument)
            host = created
            try await configure(&created)
            host = created
            try await created.run()
        } catch let error as ConfigurationError {
            let logger = host?.logger ?? Logger(label: name) { _ in JSONLogHandler(service: name) }
            logger.critical("\(error)", metadata: ["variable": .string(error.variable)])
            exit(78)
        } catch {
            let logger = host?.logger ?? Logger(label: name) { _ in JSONLogHandler(service: name) }
            logger.critical("service failed: \(error)")
            exit(1)
        }
    }

    private static let processWideBootstrap = Mutex(false)

    /// Makes libraries that log or record metrics through the global systems use ours.
    /// swift-log and swift-metrics allow this once per process.
    static func bootstrapProcessWide(metrics: ServiceMetrics, logger: Logger) {
        processWideBootstrap.withLock { done in
            guard !done else { return }
            done = true
            let level = logger.logLevel
            let service = logger.label
            LoggingSystem.bootstrap { _ in JSONLogHandler(service: service, level: level) }
            MetricsSystem.bootstrap(metrics.factory)
        }
    }

    /// A JSON response encoded from `value`.
    static func json(_ value: some Encodable, status: HTTPResponse.Status) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body: Data
        do {
            body = try encoder.encode(value)
        } catch {
            return ProblemMiddleware.response(for: .internalError, path: "", requestID: "")
        }
        return Response(status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// The port a running server listens on: what a part of the service that calls the service
/// itself over HTTP (the simulated payment provider's webhooks) needs when `PORT=0` let the
/// system choose.
public final class ListeningPort: Sendable {
    private let port = Mutex<Int?>(nil)

    /// Nil until the server runs.
    public var current: Int? { port.withLock { $0 } }

    func set(_ value: Int?) { port.withLock { $0 = value } }
}

/// The health checks, shared with the readiness route that was registered before they were added.
final class HealthChecksBox: Sendable {
    private let storage = Mutex<[any HealthCheck]>([])

    var checks: [any HealthCheck] {
        storage.withLock { $0 }
    }

    func append(_ check: any HealthCheck) {
        storage.withLock { $0.append(check) }
    }
}
