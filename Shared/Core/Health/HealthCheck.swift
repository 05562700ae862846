import Foundation

/// A dependency the service reports on at `/health/ready`. Every store adapter provides one.
public protocol HealthCheck: Sendable {
    /// The name under `checks` in the report, e.g. `postgres`.
    var name: String { get }
    /// Whether the service is unready while this dependency is down (Redis as a cache is not).
    var isRequired: Bool { get }
    /// Returns when the dependency answered; throws otherwise.
    func check() async throws
}

/// The body of `/health`, `/health/ready` and `/health/live`.
public struct HealthReport: Codable, Sendable, Equatable {
    public struct Check: Codable, Sendable, Equatable {
        /// `connected` or `disconnected`.
        public var status: String
        public var latencyMs: Double
        public var required: Bool
        /// Why the check failed, when it did.
        public var error: String?
    }

    /// `healthy` or `unhealthy` (a required dependency is down).
    public var status: String
    public var checks: [String: Check]

    public var isHealthy: Bool { status == "healthy" }
}

/// Runs every check concurrently, each bounded by a timeout, and summarises them.
public struct HealthMonitor: Sendable {
    let checks: [any HealthCheck]
    let timeout: Duration

    public init(checks: [any HealthCheck], timeout: Duration = .seconds(2)) {
        self.checks = checks
        self.timeout = timeout
    }

    public func report() async -> HealthReport {
        let results = await withTaskGroup(of: (String, HealthReport.Check).self) { group in
            for check in checks {
                group.addTask { (check.name, await Self.run(check, timeout: timeout)) }
            }
            var results: [String: HealthReport.Check] = [:]
            for await (name, result) in group { results[name] = result }
            return results
        }
        let healthy = checks.allSatisfy { !$0.isRequired || results[$0.name]?.status == "connected" }
        return HealthReport(status: healthy ? "healthy" : "unhealthy", checks: results)
    }

    static func run(_ check: any HealthCheck, timeout: Duration) async -> HealthReport.Check {
        let start = ContinuousClock.now
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await check.check() }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw HealthCheckTimeout(timeout: timeout)
                }
                defer { group.cancelAll() }
                try await group.next()
            }
            return .init(status: "connected", latencyMs: rounded(ContinuousClock.now - start), required: check.isRequired)
        } catch {
            return .init(status: "disconnected", latencyMs: rounded(ContinuousClock.now - start), required: check.isRequired, error: "\(error)")
        }
    }

    static func rounded(_ duration: Duration) -> Double {
        (duration.milliseconds * 100).rounded() / 100
    }
}

struct HealthCheckTimeout: Error, CustomStringConvertible {
    let timeout: Duration
    var description: String { "no answer within \(timeout)" }
}
