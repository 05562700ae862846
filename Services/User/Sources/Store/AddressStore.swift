import BazaarPostgres
import Foundation
import Logging
import PostgresNIO

/// A user's delivery addresses. Every statement is scoped by user id, so another user's address
/// id behaves exactly like one that does not exist.
struct AddressStore: Sendable {
    let logger: Logger
    /// Addresses one account may keep.
    static let maximumPerUser = 20

    static let columns = "id, name, line1, line2, city, postal_code, country, phone, is_default, created_at, updated_at"

    func addresses(of userID: UUID, on connection: PostgresConnection) async throws -> [Address] {
        try await decode(connection.query("""
            SELECT \(unescaped: Self.columns) FROM addresses WHERE user_id = \(userID) ORDER BY is_default DESC, created_at, id
            """, logger: logger))
    }

    func count(of userID: UUID, on connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.query("SELECT count(*) FROM addresses WHERE user_id = \(userID)", logger: logger)
        for try await value in rows.decode(Int.self) { return value }
        return 0
    }

    /// Locks the user's address rows (and, through the user row, serialises changes to one
    /// user's addresses) so the default flag and the count stay consistent.
    func lockAddressBook(of userID: UUID, on connection: PostgresConnection) async throws {
        try await connection.run("SELECT 1 FROM users WHERE id = \(userID) FOR UPDATE", logger: logger)
    }

    func clearDefault(of userID: UUID, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE addresses SET is_default = false WHERE user_id = \(userID) AND is_default", logger: logger)
    }

    func insert(_ address: ValidAddress, id: UUID, userID: UUID, on connection: PostgresConnection) async throws -> Address {
        let rows = try await decode(connection.query("""
            INSERT INTO addresses (id, user_id, name, line1, line2, city, postal_code, country, phone, is_default)
            VALUES (\(id), \(userID), \(address.name), \(address.line1), \(address.line2), \(address.city), \(address.postalCode),
                    \(address.country), \(address.phone), \(address.isDefault))
            RETURNING \(unescaped: Self.columns)
            """, logger: logger))
        guard let inserted = rows.first else { throw StoreError.corrupt("insert returned no address") }
        return inserted
    }

    func replace(_ id: UUID, of userID: UUID, with address: ValidAddress, on connection: PostgresConnection) async throws -> Address? {
        try await decode(connection.query("""
            UPDATE addresses SET name = \(address.name), line1 = \(address.line1), line2 = \(address.line2), city = \(address.city),
                   postal_code = \(address.postalCode), country = \(address.country), phone = \(address.phone),
                   is_default = \(address.isDefault), updated_at = now()
            WHERE id = \(id) AND user_id = \(userID)
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)).first
    }

    /// Deletes the address; whether it existed and was the default.
    func delete(_ id: UUID, of userID: UUID, on connection: PostgresConnection) async throws -> (deleted: Bool, wasDefault: Bool) {
        let rows = try await connection.query("DELETE FROM addresses WHERE id = \(id) AND user_id = \(userID) RETURNING is_default", logger: logger)
        for try await wasDefault in rows.decode(Bool.self) { return (true, wasDefault) }
        return (false, false)
    }

    /// Makes the most recently added address the default (after the default was deleted).
    func promoteNewest(of userID: UUID, on connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE addresses SET is_default = true
            WHERE id = (SELECT id FROM addresses WHERE user_id = \(userID) ORDER BY created_at DESC, id LIMIT 1)
            """, logger: logger)
    }

    private func decode(_ rows: PostgresRowSequence) async throws -> [Address] {
        var addresses: [Address] = []
        let columns = (UUID, String, String, String?, String, String, String, String?, Bool, Date, Date).self
        for try await (id, name, line1, line2, city, postalCode, country, phone, isDefault, created, updated) in rows.decode(columns) {
            addresses.append(Address(id: id.lowercased, name: name, line1: line1, line2: line2, city: city, postalCode: postalCode,
                                     country: country.trimmingCharacters(in: .whitespaces), phone: phone, isDefault: isDefault,
                                     createdAt: created, updatedAt: updated))
        }
        return addresses
    }
}
