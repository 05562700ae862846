import BazaarCore
import BazaarTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

struct StubDependency: HealthCheck {
    let name: String
    let isRequired: Bool
    let isUp: Bool

    struct Down: Error, CustomStringConvertible {
        var description: String { "connection refused" }
    }

    func check() async throws {
        if !isUp { throw Down() }
    }
}

struct HangingDependency: HealthCheck {
    var name: String { "slow" }
    var isRequired: Bool { true }
    /// Answers only when cancelled: a report that comes back at all proves the timeout fired.
    func check() async throws { try await Task.sleep(for: .seconds(86_400)) }
}

@Suite("Service bootstrap: health and documents")
struct HealthAndDocumentTests {
    func report(_ response: TestResponse) throws -> HealthReport {
        try JSONDecoder().decode(HealthReport.self, from: Data(response.body.readableBytesView))
    }

    @Test("ready is healthy when every dependency answers")
    func readyWhenUp() async throws {
        let host = try ServiceHost.testing()
        host.addHealthCheck(StubDependency(name: "postgres", isRequired: true, isUp: true))
        try await host.makeApplication().test(.router) { client in
            for uri in ["/health/ready", "/health"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .ok)
                let body = try report(response)
                #expect(body.status == "healthy")
                #expect(body.checks["postgres"]?.status == "connected")
            }
        }
    }

    @Test("ready is 503 when a required dependency is down; live stays 200")
    func unreadyWhenRequiredDown() async throws {
        let host = try ServiceHost.testing()
        host.addHealthCheck(StubDependency(name: "postgres", isRequired: true, isUp: false))
        try await host.makeApplication().test(.router) { client in
            let ready = try await client.execute(uri: "/health/ready", method: .get)
            #expect(ready.status == .serviceUnavailable)
            let body = try report(ready)
            #expect(body.status == "unhealthy")
            #expect(body.checks["postgres"]?.status == "disconnected")
            #expect(body.checks["postgres"]?.error == "connection refused")
            let live = try await client.execute(uri: "/health/live", method: .get)
            #expect(live.status == .ok)
        }
    }

    @Test("an optional dependency being down does not make the service unready")
    func optionalDown() async throws {
        let host = try ServiceHost.testing()
        host.addHealthCheck(StubDependency(name: "redis", isRequired: false, isUp: false))
        try await host.makeApplication().test(.router) { client in
            let ready = try await client.execute(uri: "/health/ready", method: .get)
            #expect(ready.status == .ok)
            #expect(try report(ready).checks["redis"]?.status == "disconnected")
        }
    }

    @Test("a dependency that never answers is reported down within the timeout")
    func hangingCheck() async throws {
        let report = await HealthMonitor(checks: [HangingDependency()], timeout: .milliseconds(200)).report()
        #expect(report.status == "unhealthy")
        #expect(report.checks["slow"]?.status == "disconnected")
        #expect(report.checks["slow"]?.error == "no answer within 0.2 seconds")
    }

    @Test("the bundled OpenAPI document is served")
    func openAPI() async throws {
        let document = try #require(Bundle.module.url(forResource: "openapi", withExtension: "json", subdirectory: "Fixtures"))
        let host = try ServiceHost.testing(openAPIDocument: document)
        try await host.makeApplication().test(.router) { client in
            let response = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(response.status == .ok)
            #expect(String(buffer: response.body).contains(#""openapi": "3.1.0""#))
        }
    }

    @Test("a missing bundled OpenAPI document stops start-up")
    func missingOpenAPI() {
        #expect(throws: ConfigurationError.self) {
            try ServiceHost.testing(openAPIDocument: URL(fileURLWithPath: "/nonexistent/openapi.json"))
        }
    }
}
