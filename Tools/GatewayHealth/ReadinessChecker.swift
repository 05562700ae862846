import AsyncHTTPClient
import Foundation
import NIOCore

/// What `GET /health` answers: `healthy` only when every checked service is.
struct HealthReport: Encodable, Sendable {
    struct ServiceReport: Encodable, Sendable {
        /// `healthy` (its readiness answered 200), `unhealthy` (it answered something else) or
        /// `unreachable` (no answer within the timeout).
        var status: String
        /// How long the check took, in milliseconds (one decimal).
        var latencyMs: Double
        /// The status its readiness check answered, when it answered.
        var httpStatus: Int?
        /// Why it is unreachable, for the operator.
        var error: String?
    }

    var status: String
    var services: [String: ServiceReport]

    var isHealthy: Bool { status == "healthy" }
}

/// Asks every service's `GET /health/ready` on 127.0.0.1 at once, each bounded by `timeout`, so
/// one hanging service delays the answer by at most the timeout and cannot hide the others.
struct ReadinessChecker: Sendable {
    let services: [ServiceTarget]
    let timeout: TimeAmount
    let client: HTTPClient = .shared

    func check() async -> HealthReport {
        let reports = await withTaskGroup(of: (String, HealthReport.ServiceReport).self) { group in
            for service in services {
                group.addTask { (service.name, await probe(service)) }
            }
            var reports: [String: HealthReport.ServiceReport] = [:]
            for await (name, report) in group { reports[name] = report }
            return reports
        }
        let healthy = reports.values.allSatisfy { $0.status == "healthy" }
        return HealthReport(status: healthy ? "healthy" : "unhealthy", services: reports)
    }

    private func probe(_ service: ServiceTarget) async -> HealthReport.ServiceReport {
        let clock = ContinuousClock()
        let started = clock.now
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(service.port)/health/ready")
        request.headers.add(name: "User-Agent", value: "bazaar-gateway-health")
        do {
            let response = try await client.execute(request, deadline: .now() + timeout)
            // Reading the (small) body lets the connection be reused for the next check.
            _ = try await response.body.collect(upTo: 1 << 16)
            let status = Int(response.status.code)
            return HealthReport.ServiceReport(
                status: status == 200 ? "healthy" : "unhealthy", latencyMs: milliseconds(since: started, clock: clock), httpStatus: status
            )
        } catch {
            return HealthReport.ServiceReport(
                status: "unreachable", latencyMs: milliseconds(since: started, clock: clock), error: String(describing: error)
            )
        }
    }

    private func milliseconds(since start: ContinuousClock.Instant, clock: ContinuousClock) -> Double {
        let elapsed = clock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        return (milliseconds * 10).rounded() / 10
    }
}
