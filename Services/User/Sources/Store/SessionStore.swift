import Foundation
import Logging
import PostgresNIO

/// A refresh token's row, read under a row lock while it is being redeemed.
struct RefreshTokenRow: Sendable {
    let familyID: UUID
    let userID: UUID
    let expiresAt: Date
    let spentAt: Date?
    let revokedAt: Date?
}

/// Refresh tokens and password-reset tokens, both kept only as digests.
struct SessionStore: Sendable {
    let logger: Logger

    func insertRefreshToken(digest: Data, familyID: UUID, userID: UUID, expiresAt: Date, on connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO refresh_tokens (token_digest, family_id, user_id, expires_at)
            VALUES (\(digest), \(familyID), \(userID), \(expiresAt))
            """, logger: logger)
    }

    /// The token's row, locked until the transaction ends so two redemptions of one token are serialised.
    func lockRefreshToken(digest: Data, on connection: PostgresConnection) async throws -> RefreshTokenRow? {
        let rows = try await connection.query("""
            SELECT family_id, user_id, expires_at, spent_at, revoked_at FROM refresh_tokens
            WHERE token_digest = \(digest) FOR UPDATE
            """, logger: logger)
        for try await (family, user, expires, spent, revoked) in rows.decode((UUID, UUID, Date, Date?, Date?).self) {
            return RefreshTokenRow(familyID: family, userID: user, expiresAt: expires, spentAt: spent, revokedAt: revoked)
        }
        return nil
    }

    func markSpent(digest: Data, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE refresh_tokens SET spent_at = now() WHERE token_digest = \(digest)", logger: logger)
    }

    /// Revokes every token of the family; returns how many were still live.
    @discardableResult
    func revokeFamily(_ familyID: UUID, on connection: PostgresConnection) async throws -> Int {
        try await count(connection.query("""
            WITH revoked AS (
                UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = \(familyID) AND revoked_at IS NULL RETURNING 1
            ) SELECT count(*) FROM revoked
            """, logger: logger))
    }

    /// Revokes every refresh token of the user (all sessions).
    @discardableResult
    func revokeAll(of userID: UUID, on connection: PostgresConnection) async throws -> Int {
        try await count(connection.query("""
            WITH revoked AS (
                UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = \(userID) AND revoked_at IS NULL RETURNING 1
            ) SELECT count(*) FROM revoked
            """, logger: logger))
    }

    /// Removes tokens that expired more than a day ago (spent and revoked ones included).
    func deleteExpired(on connection: PostgresConnection) async throws {
        try await connection.query("DELETE FROM refresh_tokens WHERE expires_at < now() - interval '1 day'", logger: logger)
        try await connection.query("DELETE FROM password_reset_tokens WHERE expires_at < now() - interval '1 day'", logger: logger)
    }

    // MARK: Password resets

    /// How many resets were requested for the user in the last hour.
    func recentResetCount(of userID: UUID, on connection: PostgresConnection) async throws -> Int {
        try await count(connection.query("""
            SELECT count(*) FROM password_reset_tokens WHERE user_id = \(userID) AND created_at > now() - interval '1 hour'
            """, logger: logger))
    }

    /// Stores a new reset token and retires the user's earlier unused ones: only the newest link works.
    func insertResetToken(digest: Data, userID: UUID, expiresAt: Date, on connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE password_reset_tokens SET used_at = now() WHERE user_id = \(userID) AND used_at IS NULL
            """, logger: logger)
        try await connection.query("""
            INSERT INTO password_reset_tokens (token_digest, user_id, expires_at) VALUES (\(digest), \(userID), \(expiresAt))
            """, logger: logger)
    }

    /// Spends a reset token: the user it belongs to when it was unused and unexpired, else nil.
    func redeemResetToken(digest: Data, on connection: PostgresConnection) async throws -> UUID? {
        let rows = try await connection.query("""
            UPDATE password_reset_tokens SET used_at = now()
            WHERE token_digest = \(digest) AND used_at IS NULL AND expires_at > now()
            RETURNING user_id
            """, logger: logger)
        for try await userID in rows.decode(UUID.self) { return userID }
        return nil
    }

    private func count(_ rows: PostgresRowSequence) async throws -> Int {
        for try await value in rows.decode(Int.self) { return value }
        return 0
    }
}
