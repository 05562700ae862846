import BazaarContracts
import BazaarCore
import BazaarMessaging
import BazaarPostgresMessaging
import Foundation
import Logging
import PostgresNIO

/// Every event the user service publishes, built here and nowhere else. Each function appends
/// its event to the outbox on `connection`, which must be inside the transaction that makes the
/// change the event describes (the relay publishes it once that commits).
///
/// The user service consumes no events.
struct UserEvents: Sendable {
    let outbox: Outbox
    /// Seals the password-reset token inside its event; only the notification service can open it.
    let sealer: SecretSealer

    /// `user.registered`: `user` was just created (by registration or as the first administrator).
    func registered(_ user: UserRecord, context: EventContext, on connection: PostgresConnection, logger: Logger) async throws {
        try await outbox.append(UserRegistered(userId: user.id.lowercased, email: user.email, name: user.name, role: user.role.rawValue,
                                               registeredAt: user.createdAt),
                                context: context, on: connection, logger: logger)
    }

    /// `user.updated`: `user` as it is after a change to `changedFields` (other services follow
    /// role, disabled and ended sessions from it); `revokedSessionID` names a session just signed out.
    func updated(_ user: UserRecord, changedFields: [String], revokedSessionID: UUID? = nil, context: EventContext, on connection: PostgresConnection,
                 logger: Logger) async throws {
        var event = UserUpdated(user, changedFields: changedFields)
        event.revokedSessionId = revokedSessionID?.lowercased
        try await outbox.append(event, context: context, on: connection, logger: logger)
    }

    /// `user.password_reset_requested`: the notification service emails `token` to `user`; the
    /// token travels sealed, bound to the event type, account and expiry.
    func passwordResetRequested(for user: UserRecord, token: String, expiresAt: Date, context: EventContext, on connection: PostgresConnection,
                                logger: Logger) async throws {
        var event = UserPasswordResetRequested(userId: user.id.lowercased, email: user.email, name: user.name, sealedResetToken: "",
                                               expiresAt: expiresAt)
        event.sealedResetToken = try sealer.seal(token, context: event.sealingContext)
        try await outbox.append(event, context: context, on: connection, logger: logger)
    }
}

extension UserUpdated {
    /// The event describing `user` after a change to `changedFields`.
    init(_ user: UserRecord, changedFields: [String]) {
        self.init(userId: user.id.lowercased, email: user.email, name: user.name, role: user.role.rawValue,
                  disabled: user.disabled, changedFields: changedFields, updatedAt: user.updatedAt, sessionsRevokedAt: user.sessionsRevokedAt)
    }
}
