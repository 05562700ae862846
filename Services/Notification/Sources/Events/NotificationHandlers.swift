import BazaarCore
import BazaarContracts
import BazaarMessaging
import BazaarPostgresMessaging
import Foundation
import PostgresNIO

/// What each consumed event does: keep the user copy current and queue the emails it causes,
/// in the transaction that records the event in the inbox.
struct NotificationHandlers: Sendable {
    let store: NotificationStore
    let renderer: TemplateRenderer
    /// Where the password-reset link points (`RESET_LINK_BASE`); the token is appended.
    let resetLinkBase: String
    /// Opens the reset token the user service sealed into its event (`EVENT_SEALING_KEY`).
    let sealer: SecretSealer

    /// An event about a user this service has not heard of yet (its user events may still be on
    /// their way): retried by the consumer, and dead-lettered if it stays unknown.
    struct UnknownUser: Error, CustomStringConvertible {
        let userID: String
        var description: String { "no user \(userID) known yet" }
    }

    var handlers: EventHandlers {
        var handlers = EventHandlers()
        handlers.on(UserRegistered.self) { event, context in
            let user = event.data
            try await store.upsertUser(KnownUser(userID: user.userId, email: user.email, name: user.name, role: user.role, disabled: false),
                                       on: context.connection)
            try await enqueue(Messages.welcome(user), for: event, on: context.connection)
        }
        handlers.on(UserUpdated.self) { event, context in
            let user = event.data
            try await store.upsertUser(KnownUser(userID: user.userId, email: user.email, name: user.name, role: user.role, disabled: user.disabled),
                                       on: context.connection)
        }
        handlers.on(UserPasswordResetRequested.self) { event, context in
            // A value that does not open (another key, tampered) fails the event: retried, then dead-lettered.
            let token = try sealer.open(event.data.sealedResetToken, context: event.data.sealingContext)
            try await enqueue(Messages.passwordReset(event.data, token: token, linkBase: resetLinkBase), for: event, on: context.connection)
        }
        handlers.on(OrderConfirmed.self) { event, context in
            let name = try await store.user(event.data.userId, on: context.connection)?.name ?? Self.fallbackName(event.data.email)
            try await enqueue(Messages.orderConfirmed(event.data, name: name), for: event, on: context.connection)
        }
        handlers.on(OrderCancelled.self) { event, context in
            let name = try await store.user(event.data.userId, on: context.connection)?.name ?? Self.fallbackName(event.data.email)
            try await enqueue(Messages.orderCancelled(event.data, name: name), for: event, on: context.connection)
        }
        handlers.on(OrderShipped.self) { event, context in
            let name = try await store.user(event.data.userId, on: context.connection)?.name ?? Self.fallbackName(event.data.email)
            try await enqueue(Messages.orderShipped(event.data, name: name), for: event, on: context.connection)
        }
        handlers.on(PaymentFailed.self) { event, context in
            let user = try await knownUser(event.data.userId, on: context.connection)
            try await enqueue(Messages.paymentFailed(event.data, recipient: user.recipient), for: event, on: context.connection)
        }
        handlers.on(PaymentRefunded.self) { event, context in
            let user = try await knownUser(event.data.userId, on: context.connection)
            try await enqueue(Messages.paymentRefunded(event.data, recipient: user.recipient), for: event, on: context.connection)
        }
        handlers.on(StockLow.self) { event, context in
            for admin in try await store.activeAdmins(on: context.connection) {
                try await enqueue(Messages.stockLow(event.data, admin: admin.recipient), for: event, on: context.connection)
            }
        }
        return handlers
    }

    private func knownUser(_ id: String, on connection: PostgresConnection) async throws -> KnownUser {
        guard let user = try await store.user(id, on: connection) else { throw UnknownUser(userID: id) }
        return user
    }

    private func enqueue<Payload: EventPayload>(_ message: OutgoingMessage, for event: CloudEvent<Payload>, on connection: PostgresConnection) async throws {
        let (text, html) = try renderer.render(message)
        try await store.enqueue(message, text: text, html: html, eventID: event.id, eventType: event.type, on: connection)
    }

    /// `ada.lovelace@example.com` → `ada.lovelace`, for an order email to someone not known yet.
    static func fallbackName(_ email: String) -> String {
        String(email.split(separator: "@").first ?? "customer")
    }
}
