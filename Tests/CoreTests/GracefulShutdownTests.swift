import AsyncHTTPClient
import BazaarCore
import BazaarTestSupport
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// Records the order in which things finished.
final class Timeline: Sendable {
    private let events = Mutex<[String]>([])
    func record(_ event: String) { events.withLock { $0.append(event) } }
    var recorded: [String] { events.withLock { $0 } }
}

/// A background service (standing in for a store's pool) that notes when it was told to stop.
struct RecordingService: Service {
    let name: String
    let timeline: Timeline

    func run() async throws {
        try? await gracefulShutdown()
        timeline.record("\(name) stopped")
    }
}

/// A part that stops only when `release` opens, whatever it is told (a stuck client).
struct SlowToStop: Service {
    let release: StartupGate

    func run() async throws {
        await release.wait()
    }
}

/// Background work that fails as soon as it runs.
struct FailingWork: Service {
    struct NoBroker: Error {}

    func run() async throws {
        throw NoBroker()
    }
}

@Suite("Service bootstrap: graceful shutdown")
struct GracefulShutdownTests {
    @Test("a background part that fails is logged at once, naming it, while another part is still slow to stop")
    func failureLoggedAtOnce() async throws {
        let logs = LogCapture()
        let release = StartupGate()
        var host = try ServiceHost.testing(["PORT": String(try LoopbackPort.free())], logs: logs)
        host.addService(SlowToStop(release: release))
        host.addBackgroundWork(FailingWork())
        let group = ServiceGroup(configuration: .init(services: [.init(service: host.makeApplication())], logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        try await eventually("the failure in the log while the slow part still runs") {
            logs.lines.contains { $0.contains("background service failed") && $0.contains("FailingWork") && $0.contains("NoBroker") }
        }
        #expect(!release.isOpen)
        release.open()
        await #expect(throws: (any Error).self) { try await running.value }
    }


    @Test("on shutdown an in-flight request still completes, then background services stop in reverse order of adding")
    func drainsThenStopsInOrder() async throws {
        let port = try LoopbackPort.free()
        let timeline = Timeline()
        var host = try ServiceHost.testing(["PORT": String(port)])
        host.addService(RecordingService(name: "store", timeline: timeline))
        host.addService(RecordingService(name: "relay", timeline: timeline))
        host.router.get("/api/slow") { _, _ -> String in
            timeline.record("slow request started")
            try await Task.sleep(for: .milliseconds(800))
            timeline.record("slow request answered")
            return "done"
        }
        let group = ServiceGroup(configuration: .init(services: [.init(service: host.makeApplication())], logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        let client = HTTPClient.shared
        // Wait until the server listens.
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if (try? await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/health/live"), timeout: .seconds(1)))?.status == .ok { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        async let slow = client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/slow"), timeout: .seconds(10))
        // Shut down only once the server is handling the request.
        while !timeline.recorded.contains("slow request started"), ContinuousClock.now < deadline + .seconds(10) {
            try await Task.sleep(for: .milliseconds(20))
        }
        await group.triggerGracefulShutdown()
        let response = try await slow
        #expect(response.status == .ok)
        #expect(String(buffer: try await response.body.collect(upTo: 1024)) == "done")
        try await running.value
        #expect(timeline.recorded == ["slow request started", "slow request answered", "relay stopped", "store stopped"])
    }
}
