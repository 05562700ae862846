import BazaarCore
import BazaarMessaging
import Foundation
import PostgresNIO

/// Signing in, refreshing and signing out.
extension UserDependencies {
    /// Sets a new password hash and ends every session of `user` (refresh tokens revoked; access
    /// tokens issued until now refused, here at once and by every service once it reads the
    /// `user.updated` written here). Returns how many refresh tokens were revoked.
    func changePassword(of user: UserRecord, to hash: String, context: EventContext, on connection: PostgresConnection) async throws -> Int {
        let revoked = try await sessions.revokeAll(of: user.id, on: connection)
        guard let updated = try await users.updatePasswordHash(of: user.id, to: hash, sessionsRevokedAt: Date(), on: connection) else {
            throw ProblemError.unauthorized("The account this token was issued for no longer exists.")
        }
        try await events.updated(updated, changedFields: ["sessions"], context: context, on: connection, logger: logger)
        return revoked
    }

    /// Tells every service that session `familyID` of `user` ended, so its access tokens are refused.
    func sessionEnded(_ familyID: UUID, of user: UserRecord, context: EventContext, on connection: PostgresConnection) async throws {
        try await events.updated(user, changedFields: ["sessions"], revokedSessionID: familyID, context: context, on: connection, logger: logger)
    }

    /// The outcome of a sign-in attempt once the throttle admitted it.
    enum SignIn: Sendable {
        case signedIn(AuthResponse)
        case wrongCredentials
        case disabled
    }

    /// Checks the credentials (one bcrypt verification whether or not the email has an account,
    /// so both failures take the same time), records the outcome in the audit log and, on
    /// success, starts a session.
    func signIn(email: EmailAddress, password: String, source: AuditSource) async throws -> SignIn {
        let user = try await database.withConnection { try await users.user(email: email.value, on: $0) }
        guard let user else {
            try await hasher.verifyDecoy(password)
            try await database.withConnection { connection in
                try await audit.record(.loginFailed, source: source, targetID: nil, targetEmail: email.value,
                                       details: ["reason": "unknown_email"], on: connection)
            }
            return .wrongCredentials
        }
        guard try await hasher.verify(password, against: user.passwordHash) else {
            try await database.withConnection { connection in
                try await audit.record(.loginFailed, source: source, targetID: user.id, targetEmail: user.email,
                                       details: ["reason": "wrong_password"], on: connection)
            }
            return .wrongCredentials
        }
        guard !user.disabled else {
            try await database.withConnection { connection in
                try await audit.record(.loginDisabledAccount, source: source, targetID: user.id, targetEmail: user.email, on: connection)
            }
            return .disabled
        }
        let response = try await database.transaction { connection in
            try await audit.record(.loginSucceeded, source: AuditSource(actorID: user.id, ipAddress: source.ipAddress, requestID: source.requestID),
                                   targetID: user.id, targetEmail: user.email, on: connection)
            return try await startSession(for: user, on: connection)
        }
        return .signedIn(response)
    }

    enum Refresh: Sendable {
        case refreshed(AuthResponse)
        /// Unknown, expired, revoked, or its account is disabled.
        case rejected
        /// A spent token was presented again: its family is now revoked.
        case reused
    }

    /// Redeems a refresh token for the next one. The row lock serialises concurrent redemptions
    /// of one token: the first wins, the second is treated as reuse.
    func refresh(_ token: String, source: AuditSource, context: EventContext) async throws -> Refresh {
        guard OpaqueToken.isWellFormed(token) else { return .rejected }
        let digest = OpaqueToken.digest(of: token)
        return try await database.transaction { connection in
            guard let row = try await sessions.lockRefreshToken(digest: digest, on: connection), row.revokedAt == nil else {
                return .rejected
            }
            if row.spentAt != nil {
                let revoked = try await sessions.revokeFamily(row.familyID, on: connection)
                let user = try await users.user(id: row.userID, on: connection)
                if let user { try await sessionEnded(row.familyID, of: user, context: context, on: connection) }
                try await audit.record(.refreshTokenReused, source: source, targetID: row.userID, targetEmail: user?.email,
                                       details: ["family": row.familyID.lowercased, "revokedTokens": String(revoked)],
                                       on: connection)
                return .reused
            }
            guard row.expiresAt > Date(), let user = try await users.user(id: row.userID, on: connection) else { return .rejected }
            if user.disabled {
                try await sessions.revokeFamily(row.familyID, on: connection)
                return .rejected
            }
            try await sessions.markSpent(digest: digest, on: connection)
            return .refreshed(try await issueTokens(for: user, familyID: row.familyID, on: connection))
        }
    }

    /// Revokes the family of `token` and refuses its access tokens; unknown tokens are ignored
    /// (signing out twice is fine).
    func signOut(_ token: String, source: AuditSource, context: EventContext) async throws {
        guard OpaqueToken.isWellFormed(token) else { return }
        try await database.transaction { connection in
            guard let row = try await sessions.lockRefreshToken(digest: OpaqueToken.digest(of: token), on: connection) else { return }
            let revoked = try await sessions.revokeFamily(row.familyID, on: connection)
            let user = try await users.user(id: row.userID, on: connection)
            if let user, revoked > 0 { try await sessionEnded(row.familyID, of: user, context: context, on: connection) }
            try await audit.record(.logout, source: AuditSource(actorID: row.userID, ipAddress: source.ipAddress, requestID: source.requestID),
                                   targetID: row.userID, targetEmail: user?.email, details: ["family": row.familyID.lowercased],
                                   on: connection)
        }
    }
}
