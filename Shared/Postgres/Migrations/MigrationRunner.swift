import Logging
import PostgresNIO

/// Applies migrations once each, in version order, recording them in `schema_migrations`.
///
/// Each migration runs inside its own transaction together with its record, so a failing
/// migration leaves nothing behind and stops start-up. A Postgres advisory lock, held for the
/// whole run, lets several replicas start at once: one migrates, the others wait and then find
/// nothing left to do.
public struct MigrationRunner: Sendable {
    let store: PostgresStore
    /// Advisory locks are scoped to the database, so one key serves every service.
    static let lockKey: Int64 = 0x4261_7A61_6172_4D31

    public init(store: PostgresStore) {
        self.store = store
    }

    /// Applies what is not applied yet; returns the versions applied by this call.
    @discardableResult
    public func apply(_ migrations: [Migration]) async throws -> [Int] {
        let logger = store.logger
        return try await store.withConnection { connection in
            try await connection.run("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
            do {
                let applied = try await Self.apply(migrations, on: connection, logger: logger)
                try await connection.run("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                return applied
            } catch {
                // Closing the session would release the lock too; unlocking keeps the pooled
                // connection clean. The migration error is what matters, so it is rethrown.
                do {
                    try await connection.run("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                } catch let unlockError {
                    logger.warning("could not release migration lock", metadata: ["error": .string(PostgresFailure.describe(unlockError))])
                }
                throw error
            }
        }
    }

    private static func apply(_ migrations: [Migration], on connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, logger: logger)
        var recorded: [Int: String] = [:]
        for try await (version, checksum) in try await connection.query("SELECT version, checksum FROM schema_migrations", logger: logger)
            .decode((Int, String).self) {
            recorded[version] = checksum
        }
        var appliedNow: [Int] = []
        for migration in migrations {
            let label = migration.label
            if let checksum = recorded[migration.version] {
                guard checksum == migration.checksum else {
                    throw MigrationError(migration: label, reason: "was edited after it was applied; add a new migration instead")
                }
                continue
            }
            do {
                try await connection.withTransaction(logger: logger) { connection in
                    for statement in SQLScript.statements(in: migration.sql) {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query(
                        "INSERT INTO schema_migrations (version, name, checksum) VALUES (\(migration.version), \(migration.name), \(migration.checksum))",
                        logger: logger)
                }
            } catch let error as PostgresTransactionError {
                let cause = error.closureError ?? error.commitError ?? error.beginError ?? error
                throw MigrationError(migration: label, reason: PostgresFailure.describe(cause))
            }
            logger.info("applied migration", metadata: ["migration": .string(label)])
            appliedNow.append(migration.version)
        }
        return appliedNow
    }
}
