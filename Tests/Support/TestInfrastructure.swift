public import BazaarCore
public import BazaarPostgres
public import Foundation
import Logging
public import PostgresNIO

/// The infrastructure `make test` starts (`bazaar infra`), as tests see it.
///
/// Values come from the environment `make test` exports, or else from the `infra.env` file the
/// launcher wrote under `.run/`, so `swift test` works too once `bazaar infra --detach` runs.
public enum TestInfrastructure {
    /// The repository root, found from this source file's location.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The variables of the running infrastructure.
    public static func environment() throws -> [String: String] {
        var values: [String: String] = [:]
        let runDirectory = ProcessInfo.processInfo.environment["BAZAAR_RUN_DIR"]
            .map { URL(fileURLWithPath: $0) } ?? repositoryRoot.appendingPathComponent(".run")
        if let text = try? String(contentsOf: runDirectory.appendingPathComponent("infra.env"), encoding: .utf8) {
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                values[String(line[..<equals])] = unquoted(String(line[line.index(after: equals)...]))
            }
        }
        values.merge(ProcessInfo.processInfo.environment.filter { $0.key.hasPrefix("BAZAAR_") }) { _, process in process }
        return values
    }

    /// The superuser URL of the test Postgres cluster.
    public static func postgresAdminURL() throws -> String {
        guard let url = try environment()["BAZAAR_POSTGRES_ADMIN_URL"] else {
            throw InfrastructureMissing(what: "Postgres (BAZAAR_POSTGRES_ADMIN_URL)")
        }
        return url
    }

    static func unquoted(_ value: String) -> String {
        guard value.count >= 2, let first = value.first, first == value.last, first == "'" || first == "\"" else { return value }
        return String(value.dropFirst().dropLast())
    }

    public struct InfrastructureMissing: Error, CustomStringConvertible {
        let what: String
        public var description: String {
            "\(what) is not running for tests: run `make test`, or start it with `.build/debug/bazaar infra --detach` before `swift test`"
        }
    }
}

/// A fresh, empty Postgres database per test, dropped afterwards, so tests never share state.
public enum TestDatabase {
    /// Creates a database, passes settings whose `DATABASE_URL` points at it, and drops it.
    public static func withFresh<Result>(_ body: (Settings) async throws -> Result) async throws -> Result {
        let adminURL = try TestInfrastructure.postgresAdminURL()
        let name = "test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased())"
        try await withAdminClient(adminURL) { client, logger in
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        var components = URLComponents(string: adminURL)!
        components.path = "/\(name)"
        let settings = Settings(["DATABASE_URL": components.string!, "DATABASE_POOL_MAX": "4"])
        do {
            let result = try await body(settings)
            try await drop(name, adminURL: adminURL)
            return result
        } catch {
            try? await drop(name, adminURL: adminURL)
            throw error
        }
    }

    /// Runs `body` with a store connected to `settings`' database, its pool running meanwhile.
    public static func withStore<Result: Sendable>(_ settings: Settings, _ body: @Sendable (PostgresStore) async throws -> Result) async throws -> Result {
        // Errors only: a query may ask for a connection a moment before `run()` below has started,
        // which PostgresNIO handles (the request waits) but warns about on every test.
        var logger = Logger(label: "test-postgres")
        logger.logLevel = .error
        return try await PostgresStore.withStore(settings, logger: logger, body)
    }

    /// Runs a statement on the database `settings` names (to set something up, or break it on purpose).
    public static func execute(_ query: PostgresQuery, in settings: Settings) async throws {
        try await withStore(settings) { store in
            try await store.withConnection { connection in try await connection.run(query, logger: store.logger) }
        }
    }

    static func drop(_ name: String, adminURL: String) async throws {
        try await withAdminClient(adminURL) { client, logger in
            try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
        }
    }

    static func withAdminClient(_ url: String, _ body: @Sendable (PostgresClient, Logger) async throws -> Void) async throws {
        let settings = Settings(["DATABASE_URL": url, "DATABASE_POOL_MAX": "1"])
        try await withStore(settings) { store in try await body(store.client, store.logger) }
    }
}

extension TestInfrastructure {
    /// The bootstrap servers of the dev broker `make test` starts.
    public static func kafkaBrokers() throws -> [String] {
        guard let brokers = try environment()["BAZAAR_KAFKA_BROKERS"], !brokers.isEmpty else {
            throw InfrastructureMissing(what: "the Kafka dev broker (BAZAAR_KAFKA_BROKERS)")
        }
        return brokers.split(separator: ",").map(String.init)
    }
}

extension TestInfrastructure {
    /// The redis-server `make test` starts (`redis://127.0.0.1:port/0`).
    public static func redisURL() throws -> String {
        guard let url = try environment()["BAZAAR_REDIS_URL"], !url.isEmpty else {
            throw InfrastructureMissing(what: "redis-server (BAZAAR_REDIS_URL)")
        }
        return url
    }

    /// The MongoDB-wire server (SecantusDB) `make test` starts (`mongodb://127.0.0.1:port/?retryWrites=false`).
    public static func mongoURL() throws -> String {
        guard let url = try environment()["BAZAAR_MONGODB_URL"], !url.isEmpty else {
            throw InfrastructureMissing(what: "the MongoDB-wire server (BAZAAR_MONGODB_URL)")
        }
        return url
    }
}
