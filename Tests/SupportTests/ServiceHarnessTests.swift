import BazaarCore
import BazaarPostgres
import BazaarServiceDirectory
import BazaarTestSupport
import Foundation
import PostgresNIO
import Synchronization
import Testing

/// A service that only serves the shared routes, so the harness's own work is what is tested.
enum ProbeService: BazaarService {
    static let listing = ServiceListing(name: "probe", port: 0, routePrefixes: [])
    static var openAPIDocument: URL? { Bundle.module.url(forResource: "probe-openapi", withExtension: "json", subdirectory: "Fixtures") }
    nonisolated(nonsending) static func configure(_ host: inout ServiceHost) async throws {}
}

@Suite struct ServiceHarnessTests {
    struct BodyFailed: Error {}

    /// What the harness started for one body.
    struct Started: Sendable {
        let databaseName: String
        let mongoPort: Int
        let mailSinkPort: Int
    }

    @Test func aThrowingBodyStillStopsAndRemovesEverythingTheHarnessStarted() async throws {
        let started = Recorded<Started>()
        await #expect(throws: BodyFailed.self) {
            try await ServiceHarness<ProbeService>.run(needs: ServiceTestNeeds(postgres: true, mongoDatabase: "probe", broker: false, mailSink: true)) { service in
                let databaseURL = try #require(service.database?.optionalString("DATABASE_URL"))
                let mongo = try #require(service.mongo)
                let sink = try #require(service.mailSink)
                let live = Started(databaseName: try #require(URLComponents(string: databaseURL)?.path.split(separator: "/").last.map(String.init)),
                                   mongoPort: mongo.port, mailSinkPort: sink.port)
                started.set(live)
                #expect(try await Self.databaseExists(live.databaseName))
                #expect(LoopbackPort.accepts(live.mongoPort))
                #expect(LoopbackPort.accepts(live.mailSinkPort))
                #expect(try await service.send(.get, "/health/live").status == .ok)
                throw BodyFailed()
            }
        }
        let live = try #require(started.value)
        #expect(try await !Self.databaseExists(live.databaseName))
        #expect(!LoopbackPort.accepts(live.mongoPort))
        #expect(!LoopbackPort.accepts(live.mailSinkPort))
    }

    @Test func theServiceIsConfiguredWithWhatItNeedsAndTheTestsSettingsWin() async throws {
        try await ServiceHarness<ProbeService>.run(needs: ServiceTestNeeds(redis: true, testTokens: true),
                                                   settings: ["LOG_LEVEL": "error", "EXTRA": "given"]) { service in
            let redisURL = try TestInfrastructure.redisURL()
            #expect(service.settings["REDIS_URL"] == redisURL)
            #expect(service.settings["KAFKA_TOPIC_PREFIX"] == service.topicPrefix)
            #expect(service.settings["JWT_KEY_ID"] == service.signingKey.keyID)
            #expect(service.settings["LOG_LEVEL"] == "error")
            #expect(service.settings["EXTRA"] == "given")
            #expect(service.settings["DATABASE_URL"] == nil)
            #expect(service.database == nil && service.mongo == nil && service.mailSink == nil)
            #expect(service.undocumentedRoutes.contains("GET /health/live"))
        }
    }

    /// A value set inside the harness's body and read after it.
    final class Recorded<Value: Sendable>: Sendable {
        private let storage = Mutex<Value?>(nil)
        var value: Value? { storage.withLock { $0 } }
        func set(_ value: Value) { storage.withLock { $0 = value } }
    }

    static func databaseExists(_ name: String) async throws -> Bool {
        let settings = Settings(["DATABASE_URL": try TestInfrastructure.postgresAdminURL(), "DATABASE_POOL_MAX": "1"])
        return try await TestDatabase.withStore(settings) { store in
            let rows = try await store.client.query("SELECT count(*)::int FROM pg_database WHERE datname = \(name)", logger: store.logger)
            for try await count in rows.decode(Int.self) { return count > 0 }
            return false
        }
    }
}
