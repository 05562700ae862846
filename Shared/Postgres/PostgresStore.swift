public import BazaarCore
public import Logging
public import PostgresNIO
public import ServiceLifecycle
import Synchronization

/// A service's Postgres database: the connection pool, transactions, migrations and health check.
///
/// Add it to the ``ServiceHost`` as a background service (it runs the pool) and its
/// ``healthCheck`` to readiness; ``ServiceHost/addPostgres(migrations:)`` does all of that.
public final class PostgresStore: Service, Sendable {
    public let client: PostgresClient
    public let logger: Logger

    /// Opened when ``run()`` starts: the pool's users wait for it, since a lease before the pool
    /// runs makes postgres-nio log a warning on every start whose migrations (or health check)
    /// are scheduled before the pool's task on a busy machine.
    private let running = StartupGate()
    private let closedConnections = ClosedConnectionGuard()

    public init(configuration: PostgresClient.Configuration, logger: Logger) {
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    /// Runs the pool until graceful shutdown.
    public func run() async {
        running.open()
        await client.run()
    }

    /// Returns once ``run()`` has started (at once after that).
    func untilRunning() async {
        await running.wait()
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    /// The error `body` threw is rethrown as it is (not wrapped), so domain errors keep their meaning.
    ///
    /// Work registered with ``afterCommit(_:)`` while `body` runs happens once the transaction
    /// committed, and never when it rolled back.
    ///
    /// A connection that closes under the transaction (the server restarted or ended it) fails it
    /// with ``PostgresConnectionLost`` at once; see ``ClosedConnectionGuard``.
    public func transaction<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        do {
            let actions = CommitActions()
            await untilRunning()
            let result = try await Self.$pendingCommitActions.withValue(actions) {
                try await closedConnections.guarding { watch in
                    // BEGIN too is sent only once the connection is watched: the pool may lend a
                    // connection that closed a moment ago.
                    try await self.client.withConnection { connection in
                        try watch(connection)
                        return try await connection.withTransaction(logger: self.logger) { connection in
                            try await body(connection)
                        }
                    }
                }
            }
            actions.run()
            return result
        } catch let error as PostgresTransactionError {
            if let rollbackError = error.rollbackError {
                logger.error("rollback failed", metadata: ["error": .string(PostgresFailure.describe(rollbackError))])
            }
            throw error.closureError ?? error.commitError ?? error.beginError ?? error
        }
    }

    /// Runs `action` once the current ``transaction(_:)`` committed (never if it rolls back), or at
    /// once outside a transaction: for counting what a transaction did (metrics), which must not
    /// count a change that was rolled back or is applied again after a retry.
    public static func afterCommit(_ action: @escaping @Sendable () -> Void) {
        if let actions = pendingCommitActions { actions.add(action) } else { action() }
    }

    @TaskLocal static var pendingCommitActions: CommitActions?

    /// Runs `body` with one pooled connection, outside any transaction.
    /// A connection that closes under `body` fails it with ``PostgresConnectionLost`` at once.
    public func withConnection<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        await untilRunning()
        return try await closedConnections.guarding { watch in
            try await self.client.withConnection { connection in
                try watch(connection)
                return try await body(connection)
            }
        }
    }

    /// Runs `body` with a store connected to the database in `settings` (`DATABASE_URL`), its pool
    /// running meanwhile: for one-off commands (`bazaar-payment reconcile`) and tests.
    public static func withStore<Result: Sendable>(_ settings: Settings, logger: Logger,
                                                   _ body: @Sendable (PostgresStore) async throws -> Result) async throws -> Result {
        let store = PostgresStore(configuration: try .from(settings), logger: logger)
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                await store.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(store)
        }
    }

    /// Keeps one connection listening on `channel` (`LISTEN`) and calls `notified` for every
    /// notification (a `pg_notify` committed by anyone), reconnecting after a failure, until the
    /// task is cancelled. How workers wake when a commit gives them something to do.
    public func listen(on channel: String, _ notified: @escaping @Sendable () -> Void) async {
        await untilRunning()
        while !Task.isCancelled {
            do {
                try await closedConnections.guarding { watch in
                    try await self.client.withConnection { connection in
                        try watch(connection)
                        try await connection.listen(on: channel) { notifications in
                            for try await _ in notifications { notified() }
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.debug("listener reconnecting", metadata: ["channel": .string(channel), "error": .string(PostgresFailure.describe(error))])
                do { try await Task.sleep(for: .seconds(1)) } catch { return }
            }
        }
    }

    /// `SELECT 1` through the pool, for `/health/ready`.
    public var healthCheck: some HealthCheck { PostgresHealthCheck(store: self) }
}

struct PostgresHealthCheck: HealthCheck {
    let store: PostgresStore
    var name: String { "postgres" }
    var isRequired: Bool { true }

    func check() async throws {
        try await store.withConnection { try await $0.run("SELECT 1", logger: store.logger) }
    }
}

/// Readable descriptions of Postgres errors. `PSQLError`'s own description is deliberately
/// vague (it may hold data); for logs and start-up failures we want the server's code and message.
public enum PostgresFailure {
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return String(describing: error) }
        if let serverInfo = error.serverInfo, let message = serverInfo[.message] {
            let code = serverInfo[.sqlState] ?? "?????"
            let detail = serverInfo[.detail].map { " (\($0))" } ?? ""
            return "\(code): \(message)\(detail)"
        }
        return String(reflecting: error)
    }

    /// The SQLSTATE code of a server error, e.g. `23505` for a unique violation.
    public static func sqlState(of error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }
}

extension ServiceHost {
    /// Connects to the database in `DATABASE_URL`, runs the pool for the life of the service,
    /// reports it at `/health/ready`, and applies `migrations` before the server accepts requests.
    public mutating func addPostgres(migrations: [Migration]) throws -> PostgresStore {
        let store = PostgresStore(configuration: try .from(settings), logger: logger)
        addService(store)
        addHealthCheck(store.healthCheck)
        let runner = MigrationRunner(store: store)
        beforeServing { try await runner.apply(migrations) }
        return store
    }
}

/// What runs after a transaction committed (see ``PostgresStore/afterCommit(_:)``).
final class CommitActions: Sendable {
    private let actions = Mutex<[@Sendable () -> Void]>([])

    func add(_ action: @escaping @Sendable () -> Void) { actions.withLock { $0.append(action) } }

    func run() {
        for action in actions.withLock({ $0 }) { action() }
    }
}

extension PostgresConnection {
    /// Runs a statement whose rows do not matter (`SELECT … FOR UPDATE`, `SELECT pg_notify(…)`,
    /// an advisory lock) and reads them to the end. A statement's failure arrives with its rows:
    /// a `query` whose rows are never read returns as if it had succeeded.
    public func run(_ query: PostgresQuery, logger: Logger) async throws {
        for try await _ in try await self.query(query, logger: logger) {}
    }
}
