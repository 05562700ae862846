import BazaarCore
import BazaarPostgres
import Foundation
import Logging
import PostgresNIO

/// A user as this service knows them.
struct KnownUser: Sendable, Equatable {
    var userID: String
    var email: String
    var name: String
    var role: String
    var disabled: Bool

    var recipient: Recipient { Recipient(userID: userID, email: email, name: name) }
}

/// Where an email is in its delivery: waiting (or retrying), sent, or given up.
enum DeliveryStatus: String, CaseIterable, Sendable {
    case pending, sent, failed
}

/// A delivery as the API shows it.
struct Delivery: Codable, Sendable {
    var id: String
    var eventId: String
    var eventType: String
    var userId: String?
    var recipient: String
    var template: String
    var subject: String
    var status: String
    var attempts: Int
    var lastError: String?
    var createdAt: Date
    var sentAt: Date?
}

/// An email due to be sent.
struct DueDelivery: Sendable {
    var id: UUID
    var recipient: String
    var subject: String
    var text: String
    var html: String
    var attempts: Int
}

/// The notification service's SQL.
struct NotificationStore: Sendable {
    let logger: Logger

    func upsertUser(_ user: KnownUser, on connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO known_users (user_id, email, name, role, disabled) VALUES (\(user.userID), \(user.email), \(user.name), \(user.role), \(user.disabled))
            ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, name = excluded.name, role = excluded.role,
                disabled = excluded.disabled, updated_at = now()
            """, logger: logger)
    }

    func user(_ id: String, on connection: PostgresConnection) async throws -> KnownUser? {
        try await users(connection.query("SELECT user_id, email, name, role, disabled FROM known_users WHERE user_id = \(id)", logger: logger)).first
    }

    func activeAdmins(on connection: PostgresConnection) async throws -> [KnownUser] {
        try await users(connection.query("""
            SELECT user_id, email, name, role, disabled FROM known_users WHERE role = 'admin' AND NOT disabled ORDER BY user_id
            """, logger: logger))
    }

    private func users(_ rows: PostgresRowSequence) async throws -> [KnownUser] {
        var users: [KnownUser] = []
        for try await (id, email, name, role, disabled) in rows.decode((String, String, String, String, Bool).self) {
            users.append(KnownUser(userID: id, email: email, name: name, role: role, disabled: disabled))
        }
        return users
    }

    /// Records an email to send; a second call for the same event and recipient does nothing.
    func enqueue(_ message: OutgoingMessage, text: String, html: String, eventID: String, eventType: String,
                 on connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO deliveries (id, event_id, event_type, user_id, recipient, template, subject, body_text, body_html, sensitive, status)
            VALUES (\(UUID()), \(eventID), \(eventType), \(message.recipient.userID), \(message.recipient.email), \(message.template),
                    \(message.subject), \(text), \(html), \(message.sensitive), 'pending')
            ON CONFLICT ON CONSTRAINT deliveries_once_per_recipient DO NOTHING
            """, logger: logger)
    }

    /// Up to `limit` due emails, locked for this transaction (other workers skip them).
    func lockDue(limit: Int, on connection: PostgresConnection) async throws -> [DueDelivery] {
        let rows = try await connection.query("""
            SELECT id, recipient, subject, body_text, body_html, attempts FROM deliveries
            WHERE status = 'pending' AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
            """, logger: logger)
        var due: [DueDelivery] = []
        for try await (id, recipient, subject, text, html, attempts) in rows.decode((UUID, String, String, String, String, Int).self) {
            due.append(DueDelivery(id: id, recipient: recipient, subject: subject, text: text, html: html, attempts: attempts))
        }
        return due
    }

    /// Records the email as sent; a sensitive one (a reset link) loses its body, which is not needed any more.
    func markSent(_ id: UUID, on connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE deliveries SET status = 'sent', attempts = attempts + 1, sent_at = now(), last_error = NULL,
                   body_text = CASE WHEN sensitive THEN '' ELSE body_text END,
                   body_html = CASE WHEN sensitive THEN '' ELSE body_html END
            WHERE id = \(id)
            """, logger: logger)
    }

    func markRetry(_ id: UUID, after delay: Duration, error: String, on connection: PostgresConnection) async throws {
        let seconds = Double(delay.components.seconds)
        try await connection.query("""
            UPDATE deliveries SET attempts = attempts + 1, last_error = \(error),
                   next_attempt_at = now() + make_interval(secs => \(seconds)) WHERE id = \(id)
            """, logger: logger)
    }

    func markFailed(_ id: UUID, error: String, on connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE deliveries SET status = 'failed', attempts = attempts + 1, last_error = \(error) WHERE id = \(id)
            """, logger: logger)
    }

    static let columns = "id, event_id, event_type, user_id, recipient, template, subject, status, attempts, last_error, created_at, sent_at"

    /// What was sent to `userID`, newest first.
    func feed(of userID: String, page: PageRequest, on connection: PostgresConnection) async throws -> (items: [Delivery], total: Int) {
        let total = try await count(connection.query("SELECT count(*) FROM deliveries WHERE user_id = \(userID) AND status = 'sent'", logger: logger))
        let items = try await deliveries(connection.query("""
            SELECT \(unescaped: Self.columns) FROM deliveries WHERE user_id = \(userID) AND status = 'sent'
            ORDER BY created_at DESC, id LIMIT \(page.limit) OFFSET \(page.offset)
            """, logger: logger))
        return (items, total)
    }

    /// Deliveries for administrators, optionally of one status, newest first.
    func deliveries(status: DeliveryStatus?, page: PageRequest, on connection: PostgresConnection) async throws -> (items: [Delivery], total: Int) {
        let filter = status?.rawValue ?? "%"
        let total = try await count(connection.query("SELECT count(*) FROM deliveries WHERE status LIKE \(filter)", logger: logger))
        let items = try await deliveries(connection.query("""
            SELECT \(unescaped: Self.columns) FROM deliveries WHERE status LIKE \(filter)
            ORDER BY created_at DESC, id LIMIT \(page.limit) OFFSET \(page.offset)
            """, logger: logger))
        return (items, total)
    }

    // MARK: Stream tickets

    /// Stores a ticket (its digest) for `identity`'s token, valid for `lifetime`, unless its user
    /// already holds `limit` unspent, unexpired tickets (false then). Run it in a transaction: the
    /// user's tickets are counted under a lock, so parallel requests cannot overshoot. Expired
    /// tickets of the last hour go at the same time, so the table stays small.
    func createStreamTicket(digest: Data, for identity: Identity, lifetime: Duration, limit: Int,
                            on connection: PostgresConnection) async throws -> Bool {
        let seconds = Double(lifetime.components.seconds)
        try await connection.run("SELECT pg_advisory_xact_lock(hashtext('stream-tickets:' || \(identity.userID)))", logger: logger)
        let unspent = try await count(connection.query("""
            SELECT count(*) FROM stream_tickets WHERE user_id = \(identity.userID) AND used_at IS NULL AND expires_at > now()
            """, logger: logger))
        guard unspent < limit else { return false }
        try await connection.query("DELETE FROM stream_tickets WHERE expires_at < now() - interval '1 hour'", logger: logger)
        try await connection.query("""
            INSERT INTO stream_tickets (digest, user_id, role, session_id, token_issued_at, token_expires_at, expires_at)
            VALUES (\(digest), \(identity.userID), \(identity.role.rawValue), \(identity.sessionID), \(identity.issuedAt),
                    \(identity.expiresAt), now() + make_interval(secs => \(seconds)))
            """, logger: logger)
        return true
    }

    /// Spends a ticket: the identity of the token it was issued for, or nil when it is unknown,
    /// expired or spent.
    func redeemStreamTicket(digest: Data, on connection: PostgresConnection) async throws -> Identity? {
        let rows = try await connection.query("""
            UPDATE stream_tickets SET used_at = now() WHERE digest = \(digest) AND used_at IS NULL AND expires_at > now()
            RETURNING user_id, role, session_id, token_issued_at, token_expires_at
            """, logger: logger)
        for try await (userID, role, sessionID, issuedAt, expiresAt) in rows.decode((String, String, String?, Date?, Date?).self) {
            guard let role = Role(rawValue: role) else { return nil }
            return Identity(userID: userID, role: role, issuedAt: issuedAt, sessionID: sessionID, expiresAt: expiresAt)
        }
        return nil
    }

    /// Makes a failed (or still pending) delivery due now; nil when there is no such delivery,
    /// false when it was already sent.
    func retry(_ id: UUID, on connection: PostgresConnection) async throws -> Bool? {
        let rows = try await connection.query("""
            UPDATE deliveries SET status = CASE WHEN status = 'sent' THEN status ELSE 'pending' END,
                   next_attempt_at = CASE WHEN status = 'sent' THEN next_attempt_at ELSE now() END
            WHERE id = \(id) RETURNING status
            """, logger: logger)
        for try await status in rows.decode(String.self) { return status == "pending" }
        return nil
    }

    private func deliveries(_ rows: PostgresRowSequence) async throws -> [Delivery] {
        var items: [Delivery] = []
        let columns = (UUID, String, String, String?, String, String, String, String, Int, String?, Date, Date?).self
        for try await (id, eventID, type, userID, recipient, template, subject, status, attempts, error, created, sent) in rows.decode(columns) {
            items.append(Delivery(id: id.uuidString.lowercased(), eventId: eventID, eventType: type, userId: userID, recipient: recipient,
                                  template: template, subject: subject, status: status, attempts: attempts, lastError: error,
                                  createdAt: created, sentAt: sent))
        }
        return items
    }

    private func count(_ rows: PostgresRowSequence) async throws -> Int {
        for try await value in rows.decode(Int.self) { return value }
        return 0
    }
}
