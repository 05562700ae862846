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

    static let userColumns = "id, email, name, role, disabled, password_hash, created_at, updated_at"

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
        let lock = forUpdate ? " FOR UPDATE" : ""
        return try await first("SELECT \(unescaped: Self.userColumns) FROM users WHERE id = \(id)\(unescaped: lock)", on: connection)
    }

    func user(email: String, on connection: PostgresConnection) async throws -> UserRecord? {
        try await first("SELECT \(unescaped: Self.userColumns) FROM users WHERE email = \(email)", on: connection)
    }

    func updateName(of id: UUID, to name: String, on connection: PostgresConnection) async throws -> UserRecord? {
        try await first("UPDATE users SET name = \(name), updated_at = now() WHERE id = \(id) RETURNING \(unescaped: Self.userColumns)",
                        on: connection)
    }

    func updatePasswordHash(of id: UUID, to hash: String, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE users SET password_hash = \(hash), updated_at = now() WHERE id = \(id)", logger: logger)
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
        let pattern = "%" + Self.escapeLike(search ?? "") + "%"
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

    /// `text` with `LIKE` wildcards escaped, so a search for `50%_off` finds exactly that.
    static func escapeLike(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    private func first(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> UserRecord? {
        try await all(query, on: connection).first
    }

    private func all(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> [UserRecord] {
        let rows = try await connection.query(query, logger: logger)
        var users: [UserRecord] = []
        for try await (id, email, name, role, disabled, hash, created, updated) in rows.decode((UUID, String, String, String, Bool, String, Date, Date).self) {
            guard let role = Role(rawValue: role) else { throw StoreError.corrupt("user \(id) has unknown role \(role)") }
            users.append(UserRecord(id: id, email: email, name: name, role: role, disabled: disabled, passwordHash: hash,
                                    createdAt: created, updatedAt: updated))
        }
        return users
    }
}

/// Data the store cannot interpret: a bug or a hand edit, reported as a 500 with this detail logged.
enum StoreError: Error, CustomStringConvertible {
    case corrupt(String)
    var description: String {
        switch self {
        case .corrupt(let detail): "corrupt row: \(detail)"
        }
    }
}
