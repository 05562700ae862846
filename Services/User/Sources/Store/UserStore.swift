import BazaarCore
import BazaarPostgres
import Foundation
import Logging
import PostgresNIO

/// The user service's SQL. Every method runs on a connection the caller passes, so a route can
/// put several of them (and the outbox append) into one transaction.
struct UserStore: Sendable {
    let database: PostgresStore
    var logger: Logger { database.logger }

    static let userColumns = "id, email, name, role, disabled, password_hash, created_at, updated_at, sessions_revoked_at"

    // MARK: Users

    /// Inserts a new account; a taken email is a 409.
    func insertUser(_ user: UserRecord, on connection: PostgresConnection) async throws {
        do {
            try await connection.query("""
                INSERT INTO users (id, email, name, password_hash, role, disabled, created_at, updated_at)
                VALUES (\(user.id), \(user.email), \(user.name), \(user.passwordHash), \(user.role.rawValue), \(user.disabled),
                        \(user.createdAt), \(user.updatedAt))
                """, logger: logger)
        } catch where PostgresFailure.sqlState(of: error) == "23505" {
            throw ProblemError.conflict("An account with this email address already exists.")
        }
    }

    func user(id: UUID, on connection: PostgresConnection, forUpdate: Bool = false) async throws -> UserRecord? {
        if forUpdate {
            return try await first("SELECT \(unescaped: Self.userColumns) FROM users WHERE id = \(id) FOR UPDATE", on: connection)
        }
        // Every authenticated request of the user's own reads this: prepared once per connection,
        // so Postgres does not parse and plan it each time.
        for try await user in try await connection.execute(UserByID(id: id), logger: logger) { return user }
        return nil
    }

    func user(email: String, on connection: PostgresConnection) async throws -> UserRecord? {
        try await first("SELECT \(unescaped: Self.userColumns) FROM users WHERE email = \(email)", on: connection)
    }

    func updateName(of id: UUID, to name: String, on connection: PostgresConnection) async throws -> UserRecord? {
        try await first("UPDATE users SET name = \(name), updated_at = now() WHERE id = \(id) RETURNING \(unescaped: Self.userColumns)",
                        on: connection)
    }

    /// Sets a new password hash and ends every session as of `sessionsRevokedAt` (a changed or
    /// reset password signs the account out everywhere).
    func updatePasswordHash(of id: UUID, to hash: String, sessionsRevokedAt: Date, on connection: PostgresConnection) async throws -> UserRecord? {
        try await first("""
            UPDATE users SET password_hash = \(hash), sessions_revoked_at = \(sessionsRevokedAt), updated_at = now() WHERE id = \(id)
            RETURNING \(unescaped: Self.userColumns)
            """, on: connection)
    }

    /// Ends every session as of `at`: access tokens issued before it are refused.
    func revokeSessions(of id: UUID, at: Date, on connection: PostgresConnection) async throws -> UserRecord? {
        try await first("""
            UPDATE users SET sessions_revoked_at = \(at), updated_at = now() WHERE id = \(id) RETURNING \(unescaped: Self.userColumns)
            """, on: connection)
    }

    func updateStanding(of id: UUID, role: Role, disabled: Bool, on connection: PostgresConnection) async throws -> UserRecord? {
        try await first("""
            UPDATE users SET role = \(role.rawValue), disabled = \(disabled), updated_at = now() WHERE id = \(id)
            RETURNING \(unescaped: Self.userColumns)
            """, on: connection)
    }

    func adminExists(on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query("SELECT EXISTS (SELECT 1 FROM users WHERE role = 'admin' AND NOT disabled)", logger: logger)
        for try await exists in rows.decode(Bool.self) { return exists }
        return false
    }

    /// A page of accounts, newest first, optionally only those whose email or name contains `search`.
    func users(matching search: String?, page: PageRequest, on connection: PostgresConnection) async throws -> (items: [UserRecord], total: Int) {
        // An empty pattern matches every row, so one statement serves both cases.
        let pattern = LikePattern.containing(search ?? "")
        let totalRows = try await connection.query("SELECT count(*) FROM users WHERE email ILIKE \(pattern) OR name ILIKE \(pattern)",
                                                   logger: logger)
        var total = 0
        for try await count in totalRows.decode(Int.self) { total = count }
        let items = try await all("""
            SELECT \(unescaped: Self.userColumns) FROM users WHERE email ILIKE \(pattern) OR name ILIKE \(pattern)
            ORDER BY created_at DESC, id LIMIT \(page.limit) OFFSET \(page.offset)
            """, on: connection)
        return (items, total)
    }

    /// `SELECT … FROM users WHERE id = $1`, as a prepared statement.
    struct UserByID: PostgresPreparedStatement {
        static let sql = "SELECT \(UserStore.userColumns) FROM users WHERE id = $1"
        typealias Row = UserRecord
        let id: UUID

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(id)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            try UserStore.record(row.decode((UUID, String, String, String, Bool, String, Date, Date, Date?).self))
        }
    }

    /// A `users` row (in ``userColumns``' order) as a record; an unknown role is corrupt data.
    static func record(_ row: (UUID, String, String, String, Bool, String, Date, Date, Date?)) throws -> UserRecord {
        let (id, email, name, role, disabled, hash, created, updated, sessionsRevoked) = row
        guard let role = Role(rawValue: role) else { throw StoreError.corrupt("user \(id) has unknown role \(role)") }
        return UserRecord(id: id, email: email, name: name, role: role, disabled: disabled, passwordHash: hash,
                          createdAt: created, updatedAt: updated, sessionsRevokedAt: sessionsRevoked)
    }

    private func first(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> UserRecord? {
        try await all(query, on: connection).first
    }

    private func all(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> [UserRecord] {
        let rows = try await connection.query(query, logger: logger)
        var users: [UserRecord] = []
        for try await row in rows.decode((UUID, String, String, String, Bool, String, Date, Date, Date?).self) {
            users.append(try Self.record(row))
        }
        return users
    }
}
