import BazaarCore
import BazaarPostgres
import BazaarTestSupport
import Logging
import PostgresNIO
import Synchronization
import Testing

struct Refused: Error {}

/// A fresh database with an empty `items (id int PRIMARY KEY)` table.
func withItemsTable(_ body: @escaping @Sendable (PostgresStore) async throws -> Void) async throws {
    try await TestDatabase.withFresh { settings in
        try await TestDatabase.withStore(settings) { store in
            try await store.client.query("CREATE TABLE items (id int PRIMARY KEY)", logger: store.logger)
            try await body(store)
        }
    }
}

@Suite("Postgres store (real server)")
struct PostgresStoreTests {
    @Test("work asked of the store before its pool runs waits for the pool, and postgres-nio has nothing to warn about")
    func waitsForThePool() async throws {
        try await TestDatabase.withFresh { settings in
            let logs = LogCapture()
            let logger = Logger(label: "test") { _ in JSONLogHandler(service: "test", level: .debug, sink: logs) }
            let store = PostgresStore(configuration: try .from(settings), logger: logger)
            let answered = Atomic<Bool>(false)
            // Asked first, on purpose: the pool's task starts only once the answer is awaited.
            let early = Task {
                let value = try await store.withConnection { connection in
                    var value = 0
                    for try await number in try await connection.query("SELECT 1", logger: logger).decode(Int.self) { value = number }
                    return value
                }
                answered.store(true, ordering: .sequentiallyConsistent)
                return value
            }
            // Let the early request get as far as it can before the pool runs.
            for _ in 0..<100 { await Task.yield() }
            let answeredEarly = answered.load(ordering: .sequentiallyConsistent)
            #expect(!answeredEarly)
            let pool = Task { await store.run() }
            let value = try await early.value
            pool.cancel()
            await pool.value
            #expect(value == 1)
            let loud = try logs.entries().filter { ["warning", "error", "critical"].contains($0["level"] as? String ?? "") }
            #expect(loud.isEmpty, "\(loud)")
        }
    }

    @Test("a transaction commits when its body returns and rolls back when it throws, rethrowing the body's error")
    func transactions() async throws {
        try await withItemsTable { store in
            try await store.transaction { connection in
                _ = try await connection.query("INSERT INTO items VALUES (1)", logger: store.logger)
            }
            await #expect(throws: Refused.self) {
                try await store.transaction { connection in
                    try await connection.query("INSERT INTO items VALUES (2)", logger: store.logger)
                    throw Refused()
                }
            }
            var ids: [Int] = []
            for try await id in try await store.client.query("SELECT id FROM items ORDER BY id", logger: store.logger).decode(Int.self) {
                ids.append(id)
            }
            #expect(ids == [1])
        }
    }

    @Test("work registered with afterCommit runs once the transaction committed, never when it rolled back, and at once outside a transaction")
    func afterCommit() async throws {
        try await withItemsTable { store in
            let ran = Mutex<[String]>([])
            try await store.transaction { connection in
                try await connection.query("INSERT INTO items VALUES (1)", logger: store.logger)
                PostgresStore.afterCommit { ran.withLock { $0.append("committed") } }
                #expect(ran.withLock { $0 }.isEmpty, "ran before the commit")
            }
            await #expect(throws: Refused.self) {
                try await store.transaction { connection in
                    try await connection.query("INSERT INTO items VALUES (2)", logger: store.logger)
                    PostgresStore.afterCommit { ran.withLock { $0.append("rolled back") } }
                    throw Refused()
                }
            }
            PostgresStore.afterCommit { ran.withLock { $0.append("outside") } }
            #expect(ran.withLock { $0 } == ["committed", "outside"])
        }
    }

    @Test("run reads a statement's rows to the end, so a failure that arrives with them is thrown (a NOWAIT lock on a locked row)")
    func runThrowsLateFailures() async throws {
        try await withItemsTable { store in
            try await store.client.query("INSERT INTO items VALUES (1)", logger: store.logger)
            try await store.transaction { holder in
                try await holder.run("SELECT id FROM items WHERE id = 1 FOR UPDATE", logger: store.logger)
                try await store.transaction { other in
                    do {
                        try await other.run("SELECT id FROM items WHERE id = 1 FOR UPDATE NOWAIT", logger: store.logger)
                        Issue.record("the lock held by the other transaction was not reported")
                    } catch {
                        #expect(PostgresFailure.sqlState(of: error) == "55P03", "\(PostgresFailure.describe(error))")
                    }
                }
            }
        }
    }

    /// postgres-nio sends a statement on a connection that already closed into nothing, and its
    /// caller waits forever: after a Postgres restart every relay and consumer that had a
    /// transaction open stopped for good (found by the chaos suite). The time limit turns that
    /// wait into a failure.
    @Test("a connection that closes under a transaction or a connection's work fails it at once, and the store goes on",
          .timeLimit(.minutes(1)))
    func connectionClosedUnderWork() async throws {
        try await withItemsTable { store in
            /// Ends `connection`'s session from another connection and waits until the client saw it close.
            @Sendable func endSession(of connection: PostgresConnection) async throws {
                var pid: Int32 = 0
                for try await value in try await connection.query("SELECT pg_backend_pid()", logger: store.logger).decode(Int32.self) { pid = value }
                try await store.client.query("SELECT pg_terminate_backend(\(pid))", logger: store.logger)
                try await eventually("the client to see the connection closed") { connection.isClosed }
            }
            await #expect(throws: PostgresConnectionLost.self) {
                try await store.transaction { connection in
                    try await endSession(of: connection)
                    try await connection.run("INSERT INTO items VALUES (1)", logger: store.logger)
                }
            }
            await #expect(throws: PostgresConnectionLost.self) {
                try await store.withConnection { connection in
                    try await endSession(of: connection)
                    try await connection.run("INSERT INTO items VALUES (2)", logger: store.logger)
                }
            }
            try await store.transaction { try await $0.run("INSERT INTO items VALUES (3)", logger: store.logger) }
            var ids: [Int] = []
            for try await id in try await store.client.query("SELECT id FROM items ORDER BY id", logger: store.logger).decode(Int.self) {
                ids.append(id)
            }
            #expect(ids == [3])
        }
    }

    @Test("a unique violation keeps its SQLSTATE for services to map to 409")
    func uniqueViolation() async throws {
        try await TestDatabase.withFresh { settings in
            try await TestDatabase.withStore(settings) { store in
                try await store.client.query("CREATE TABLE emails (address text PRIMARY KEY)", logger: store.logger)
                try await store.client.query("INSERT INTO emails VALUES ('a@example.com')", logger: store.logger)
                do {
                    try await store.client.query("INSERT INTO emails VALUES ('a@example.com')", logger: store.logger)
                    Issue.record("duplicate accepted")
                } catch {
                    #expect(PostgresFailure.sqlState(of: error) == "23505")
                    #expect(PostgresFailure.describe(error).contains("duplicate key"))
                }
            }
        }
    }

    @Test("the health check reports a reachable database connected and an unreachable one disconnected")
    func healthCheck() async throws {
        try await TestDatabase.withFresh { settings in
            try await TestDatabase.withStore(settings) { store in
                // The pool's first connection (TCP and SCRAM authentication) is made before the check
                // is timed, and the check gets a generous limit: on two busy cores a first connect
                // took longer than the monitor's default 2 s, which is not what this test is about.
                try await store.client.query("SELECT 1", logger: store.logger)
                let report = await HealthMonitor(checks: [store.healthCheck], timeout: .seconds(30)).report()
                #expect(report.checks["postgres"]?.status == "connected")
            }
        }
        let unreachable = Settings(["DATABASE_URL": "postgres://nobody:secret@127.0.0.1:9/none", "DATABASE_CONNECT_TIMEOUT_SECONDS": "1"])
        try await TestDatabase.withStore(unreachable) { store in
            let report = await HealthMonitor(checks: [store.healthCheck], timeout: .seconds(2)).report()
            #expect(report.status == "unhealthy")
            #expect(report.checks["postgres"]?.status == "disconnected")
        }
    }

    @Test("DATABASE_URL problems name the variable")
    func databaseURLErrors() {
        for url in ["", "mysql://u@h/db", "postgres://h/db", "postgres://u@h/", "postgres://u@h/db?sslmode=sometimes"] {
            do {
                _ = try PostgresClient.Configuration.from(Settings(["DATABASE_URL": url]))
                Issue.record("\(url) was accepted")
            } catch let error as ConfigurationError {
                #expect(error.variable == "DATABASE_URL")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }
}
