import BazaarContracts
import BazaarCore
import BazaarPostgres
import Foundation
import Logging
import PostgresNIO

/// The payment service's SQL. Every method runs on the caller's connection (a transaction when
/// it changes something, so the change, its ledger entries and its events commit together).
struct PaymentStore: Sendable {
    let logger: Logger

    // MARK: Payments

    /// Inserts `payment`; false when the order already has a payment (the one charge per order).
    func insert(_ payment: Payment, on connection: PostgresConnection) async throws -> Bool {
        for try await _ in try await connection.execute(Insert(payment: payment), logger: logger) { return true }
        return false
    }

    func payment(id: String, forUpdate: Bool = false, on connection: PostgresConnection) async throws -> Payment? {
        try await payments(where: "payment_id = $1", id, forUpdate: forUpdate, on: connection).first
    }

    func payment(orderId: String, forUpdate: Bool = false, on connection: PostgresConnection) async throws -> Payment? {
        try await payments(where: "order_id = $1", orderId, forUpdate: forUpdate, on: connection).first
    }

    /// A page of payments, newest first, filtered by any of user, order and status.
    func payments(userId: String?, orderId: String?, status: PaymentStatus?, page: PageRequest,
                  on connection: PostgresConnection) async throws -> (items: [Payment], total: Int) {
        let rows = try await connection.query("""
            SELECT \(unescaped: Self.paymentColumns), count(*) OVER () AS total FROM payments
            WHERE (\(userId)::text IS NULL OR user_id = \(userId)) AND (\(orderId)::text IS NULL OR order_id = \(orderId))
              AND (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue))
            ORDER BY created_at DESC, payment_id DESC LIMIT \(page.limit) OFFSET \(page.offset)
            """, logger: logger)
        var items: [Payment] = []
        var total = 0
        for try await row in rows {
            let columns = row.makeRandomAccess()
            items.append(try Self.payment(columns))
            total = try columns["total"].decode(Int.self)
        }
        if items.isEmpty && page.offset > 0 {
            let counted = try await connection.query("""
                SELECT count(*) FROM payments
                WHERE (\(userId)::text IS NULL OR user_id = \(userId)) AND (\(orderId)::text IS NULL OR order_id = \(orderId))
                  AND (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue))
                """, logger: logger)
            for try await count in counted.decode(Int.self) { total = count }
        }
        return (items, total)
    }

    /// Takes up to `limit` payments due for a charge attempt and holds them for `lease` (a crashed
    /// worker's hold runs out and another takes the payment over); counts the attempt.
    func claimDueCharges(limit: Int, lease: Duration, on connection: PostgresConnection) async throws -> [Payment] {
        let rows = try await connection.query("""
            UPDATE payments SET lease_until = now() + make_interval(secs => \(lease.seconds)), attempts = attempts + 1
            WHERE payment_id IN (
                SELECT payment_id FROM payments
                WHERE status = 'processing' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until <= now())
                ORDER BY next_attempt_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING \(unescaped: Self.paymentColumns)
            """, logger: logger)
        var claimed: [Payment] = []
        for try await row in rows { claimed.append(try Self.payment(row.makeRandomAccess())) }
        return claimed
    }

    /// Writes the state of `payment` (read under its row lock) and lets go of any hold on it.
    func save(_ payment: Payment, on connection: PostgresConnection) async throws {
        for try await _ in try await connection.execute(Save(payment: payment), logger: logger) {}
    }

    // Every payment runs these (inserted once, saved as it moves, a ledger row per money fact):
    // prepared once per connection, so Postgres does not parse and plan them for every event.

    struct Insert: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO payments (payment_id, order_id, user_id, amount_minor, currency, payment_method, status, idempotency_key,
                                  failure_code, failure_message, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            ON CONFLICT (order_id) DO NOTHING RETURNING payment_id
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text, .int8, .text, .text, .text, .text, .text, .text, .timestamptz, .timestamptz]
        typealias Row = String
        let payment: Payment

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 12)
            bindings.append(payment.id)
            bindings.append(payment.orderId)
            bindings.append(payment.userId)
            bindings.append(payment.amount.minorUnits)
            bindings.append(payment.amount.currency.code)
            bindings.append(payment.paymentMethod)
            bindings.append(payment.status.rawValue)
            bindings.append(payment.idempotencyKey)
            bindings.append(payment.failureCode)
            bindings.append(payment.failureMessage)
            bindings.append(payment.createdAt)
            bindings.append(payment.updatedAt)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(String.self) }
    }

    struct Save: PostgresPreparedStatement {
        static let sql = """
            UPDATE payments SET status = $1, card_brand = $2, card_last4 = $3, provider_reference = $4, failure_code = $5, failure_message = $6,
                   captured_minor = $7, refunded_minor = $8, last_error = $9, lease_until = NULL, updated_at = $10
            WHERE payment_id = $11
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text, .text, .text, .text, .int8, .int8, .text, .timestamptz, .text]
        typealias Row = Void
        let payment: Payment

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 11)
            bindings.append(payment.status.rawValue)
            bindings.append(payment.card?.brand)
            bindings.append(payment.card?.last4)
            bindings.append(payment.providerReference)
            bindings.append(payment.failureCode)
            bindings.append(payment.failureMessage)
            bindings.append(payment.capturedMinor)
            bindings.append(payment.refundedMinor)
            bindings.append(payment.lastError)
            bindings.append(payment.updatedAt)
            bindings.append(payment.id)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {}
    }

    struct AppendLedger: PostgresPreparedStatement {
        static let sql = "INSERT INTO ledger (payment_id, order_id, refund_id, kind, amount_minor, currency, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text, .text, .int8, .text, .text]
        typealias Row = Void
        let payment: Payment
        let refundId: String?
        let kind: String
        let amountMinor: Int64
        let detail: String?

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 7)
            bindings.append(payment.id)
            bindings.append(payment.orderId)
            bindings.append(refundId)
            bindings.append(kind)
            bindings.append(amountMinor)
            bindings.append(payment.amount.currency.code)
            bindings.append(detail)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {}
    }

    /// Lets go of a payment after a temporary failure; the next attempt is due after `delay`.
    func retryLater(paymentId: String, after delay: Duration, error: String, on connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE payments SET lease_until = NULL, next_attempt_at = now() + make_interval(secs => \(delay.seconds)), last_error = \(error),
                   updated_at = now()
            WHERE payment_id = \(paymentId) AND status = 'processing'
            """, logger: logger)
    }

    private func payments(where condition: String, _ value: String, forUpdate: Bool, on connection: PostgresConnection) async throws -> [Payment] {
        var bindings = PostgresBindings()
        bindings.append(value)
        let query = PostgresQuery(unsafeSQL: "SELECT \(Self.paymentColumns) FROM payments WHERE \(condition)\(forUpdate ? " FOR UPDATE" : "")",
                                  binds: bindings)
        let rows = try await connection.query(query, logger: logger)
        var found: [Payment] = []
        for try await row in rows { found.append(try Self.payment(row.makeRandomAccess())) }
        return found
    }

    static let paymentColumns = """
        payment_id, order_id, user_id, amount_minor, currency, payment_method, card_brand, card_last4, status, idempotency_key,
        provider_reference, failure_code, failure_message, captured_minor, refunded_minor, attempts, last_error, created_at, updated_at
        """

    private static func payment(_ row: PostgresRandomAccessRow) throws -> Payment {
        let currency = try Self.currency(row["currency"].decode(String.self))
        let brand = try row["card_brand"].decode(String?.self)
        let last4 = try row["card_last4"].decode(String?.self)
        let statusText = try row["status"].decode(String.self)
        guard let status = PaymentStatus(rawValue: statusText) else { throw StoreError.corrupt("a payment has the unknown status \(statusText)") }
        return Payment(id: try row["payment_id"].decode(String.self), orderId: try row["order_id"].decode(String.self),
                       userId: try row["user_id"].decode(String.self),
                       amount: Money(minorUnits: try row["amount_minor"].decode(Int64.self), currency: currency),
                       paymentMethod: try row["payment_method"].decode(String.self),
                       card: brand.flatMap { brand in last4.map { CardSummary(brand: brand, last4: $0) } }, status: status,
                       idempotencyKey: try row["idempotency_key"].decode(String.self),
                       providerReference: try row["provider_reference"].decode(String?.self),
                       failureCode: try row["failure_code"].decode(String?.self), failureMessage: try row["failure_message"].decode(String?.self),
                       capturedMinor: try row["captured_minor"].decode(Int64.self), refundedMinor: try row["refunded_minor"].decode(Int64.self),
                       attempts: try row["attempts"].decode(Int.self), lastError: try row["last_error"].decode(String?.self),
                       createdAt: try row["created_at"].decode(Date.self), updatedAt: try row["updated_at"].decode(Date.self))
    }

    private static func currency(_ code: String) throws -> Currency {
        guard let currency = Currency(code: code) else { throw StoreError.corrupt("a stored currency \(code) is not an ISO 4217 code") }
        return currency
    }

    // MARK: Refunds

    /// Inserts `refund`; `heldFor` holds it for its creator (who carries it out at once) as a
    /// worker's claim would, counting that first attempt.
    func insert(_ refund: Refund, requestKey: String?, requestDigest: String?, heldFor lease: Duration?, on connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO refunds (refund_id, payment_id, order_id, amount_minor, currency, cause, reason, requested_by, request_key, request_digest,
                                 status, idempotency_key, created_at, updated_at, lease_until, attempts)
            VALUES (\(refund.id), \(refund.paymentId), \(refund.orderId), \(refund.amount.minorUnits), \(refund.amount.currency.code),
                    \(refund.cause.rawValue), \(refund.reason), \(refund.requestedBy), \(requestKey), \(requestDigest), \(refund.status.rawValue),
                    \(refund.idempotencyKey), \(refund.createdAt), \(refund.updatedAt),
                    now() + make_interval(secs => \(lease?.seconds ?? 0)), \(lease == nil ? 0 : 1))
            """, logger: logger)
    }

    func refund(id: String, forUpdate: Bool = false, on connection: PostgresConnection) async throws -> Refund? {
        let rows = try await connection.query("""
            SELECT \(unescaped: Self.refundColumns) FROM refunds WHERE refund_id = \(id) \(unescaped: forUpdate ? "FOR UPDATE" : "")
            """, logger: logger)
        for try await row in rows { return try Self.refund(row.makeRandomAccess()) }
        return nil
    }

    /// The refund an administrator asked for with `requestKey`, and the digest of that request.
    func refund(paymentId: String, requestKey: String, on connection: PostgresConnection) async throws -> (refund: Refund, digest: String?)? {
        let rows = try await connection.query("""
            SELECT \(unescaped: Self.refundColumns), request_digest FROM refunds WHERE payment_id = \(paymentId) AND request_key = \(requestKey)
            """, logger: logger)
        for try await row in rows {
            let columns = row.makeRandomAccess()
            return (try Self.refund(columns), try columns["request_digest"].decode(String?.self))
        }
        return nil
    }

    func refunds(paymentId: String, on connection: PostgresConnection) async throws -> [Refund] {
        let rows = try await connection.query("""
            SELECT \(unescaped: Self.refundColumns) FROM refunds WHERE payment_id = \(paymentId) ORDER BY created_at, refund_id
            """, logger: logger)
        var refunds: [Refund] = []
        for try await row in rows { refunds.append(try Self.refund(row.makeRandomAccess())) }
        return refunds
    }

    /// Money promised back from the payment: refunds done or still with the provider.
    func committedRefunds(paymentId: String, on connection: PostgresConnection) async throws -> Int64 {
        let rows = try await connection.query("""
            SELECT coalesce(sum(amount_minor), 0)::bigint FROM refunds WHERE payment_id = \(paymentId) AND status <> 'failed'
            """, logger: logger)
        for try await sum in rows.decode(Int64.self) { return sum }
        return 0
    }

    /// Like ``claimDueCharges(limit:lease:on:)``, for refunds.
    func claimDueRefunds(limit: Int, lease: Duration, on connection: PostgresConnection) async throws -> [Refund] {
        try await claimRefunds(condition: "status = 'processing' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until <= now())",
                               limit: limit, lease: lease, on: connection)
    }

    private func claimRefunds(condition: String, bindings: PostgresBindings = PostgresBindings(), limit: Int, lease: Duration,
                              on connection: PostgresConnection) async throws -> [Refund] {
        let query = PostgresQuery(unsafeSQL: """
            UPDATE refunds SET lease_until = now() + make_interval(secs => \(lease.seconds)), attempts = attempts + 1
            WHERE refund_id IN (SELECT refund_id FROM refunds WHERE \(condition) ORDER BY next_attempt_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING \(Self.refundColumns)
            """, binds: bindings)
        let rows = try await connection.query(query, logger: logger)
        var claimed: [Refund] = []
        for try await row in rows { claimed.append(try Self.refund(row.makeRandomAccess())) }
        return claimed
    }

    func save(_ refund: Refund, on connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE refunds SET status = \(refund.status.rawValue), provider_reference = \(refund.providerReference),
                   failure_code = \(refund.failureCode), failure_message = \(refund.failureMessage), lease_until = NULL, updated_at = \(refund.updatedAt)
            WHERE refund_id = \(refund.id)
            """, logger: logger)
    }

    func retryRefundLater(refundId: String, after delay: Duration, error: String, on connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE refunds SET lease_until = NULL, next_attempt_at = now() + make_interval(secs => \(delay.seconds)), last_error = \(error),
                   updated_at = now()
            WHERE refund_id = \(refundId) AND status = 'processing'
            """, logger: logger)
    }

    /// The attempts made at refund `id` so far.
    func refundAttempts(id: String, on connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.query("SELECT attempts FROM refunds WHERE refund_id = \(id)", logger: logger)
        for try await attempts in rows.decode(Int.self) { return attempts }
        return 0
    }

    static let refundColumns = """
        refund_id, payment_id, order_id, amount_minor, currency, cause, reason, requested_by, status, idempotency_key, provider_reference,
        failure_code, failure_message, created_at, updated_at
        """

    private static func refund(_ row: PostgresRandomAccessRow) throws -> Refund {
        let causeText = try row["cause"].decode(String.self)
        let statusText = try row["status"].decode(String.self)
        guard let cause = RefundCause(rawValue: causeText), let status = RefundStatus(rawValue: statusText) else {
            throw StoreError.corrupt("a refund has the unknown cause \(causeText) or status \(statusText)")
        }
        return Refund(id: try row["refund_id"].decode(String.self), paymentId: try row["payment_id"].decode(String.self),
                      orderId: try row["order_id"].decode(String.self),
                      amount: Money(minorUnits: try row["amount_minor"].decode(Int64.self), currency: try currency(row["currency"].decode(String.self))),
                      cause: cause, reason: try row["reason"].decode(String.self), requestedBy: try row["requested_by"].decode(String.self),
                      status: status, idempotencyKey: try row["idempotency_key"].decode(String.self),
                      providerReference: try row["provider_reference"].decode(String?.self),
                      failureCode: try row["failure_code"].decode(String?.self), failureMessage: try row["failure_message"].decode(String?.self),
                      createdAt: try row["created_at"].decode(Date.self), updatedAt: try row["updated_at"].decode(Date.self))
    }

    // MARK: Ledger

    /// Appends one entry to the ledger.
    func append(_ kind: LedgerEntry.Kind, payment: Payment, refundId: String? = nil, amountMinor: Int64 = 0, detail: String? = nil,
                on connection: PostgresConnection) async throws {
        let statement = AppendLedger(payment: payment, refundId: refundId, kind: kind.rawValue, amountMinor: amountMinor, detail: detail)
        for try await _ in try await connection.execute(statement, logger: logger) {}
    }

    func ledger(paymentId: String, on connection: PostgresConnection) async throws -> [LedgerEntry] {
        let rows = try await connection.query("""
            SELECT entry_id, payment_id, order_id, refund_id, kind, amount_minor, currency, detail, recorded_at FROM ledger
            WHERE payment_id = \(paymentId) ORDER BY entry_id
            """, logger: logger)
        var entries: [LedgerEntry] = []
        for try await (id, payment, order, refund, kindText, amount, currency, detail, at)
            in rows.decode((Int64, String, String, String?, String, Int64, String, String?, Date).self) {
            guard let kind = LedgerEntry.Kind(rawValue: kindText) else { throw StoreError.corrupt("a ledger entry has the unknown kind \(kindText)") }
            entries.append(LedgerEntry(id: id, paymentId: payment, orderId: order, refundId: refund, kind: kind,
                                       amount: Money(minorUnits: amount, currency: try Self.currency(currency)), detail: detail, recordedAt: at))
        }
        return entries
    }

    // MARK: Order outcomes, webhooks, reconciliation

    /// Records what the order service said became of `orderId`; a cancellation outranks a
    /// confirmation (a confirmed order can still be cancelled, never the other way round).
    func record(_ outcome: OrderOutcome, orderId: String, eventId: String, on connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO order_outcomes (order_id, outcome, event_id) VALUES (\(orderId), \(outcome.rawValue), \(eventId))
            ON CONFLICT (order_id) DO UPDATE SET outcome = excluded.outcome, event_id = excluded.event_id, recorded_at = now()
            WHERE order_outcomes.outcome <> 'cancelled'
            """, logger: logger)
    }

    func outcome(orderId: String, on connection: PostgresConnection) async throws -> OrderOutcome? {
        let rows = try await connection.query("SELECT outcome FROM order_outcomes WHERE order_id = \(orderId)", logger: logger)
        for try await text in rows.decode(String.self) { return OrderOutcome(rawValue: text) }
        return nil
    }

    /// Records a provider webhook event; false when it was applied before.
    func recordWebhook(id: String, type: String, paymentId: String?, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query("""
            INSERT INTO webhook_events (event_id, event_type, payment_id) VALUES (\(id), \(type), \(paymentId))
            ON CONFLICT (event_id) DO NOTHING RETURNING event_id
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// The money facts of every payment (or of one order's), for reconciliation.
    func moneyFacts(orderId: String? = nil, on connection: PostgresConnection) async throws -> [MoneyFacts] {
        let rows = try await connection.query("""
            SELECT p.order_id, p.payment_id, p.status, p.amount_minor, p.currency, p.captured_minor, p.refunded_minor,
                   coalesce(l.captured, 0)::bigint, coalesce(l.refunded, 0)::bigint, coalesce(r.admin_refunded, 0)::bigint,
                   coalesce(r.in_progress, 0)::bigint, o.outcome
            FROM payments p
            LEFT JOIN (SELECT payment_id, sum(amount_minor) FILTER (WHERE kind = 'captured') AS captured,
                              -sum(amount_minor) FILTER (WHERE kind = 'refunded') AS refunded
                       FROM ledger GROUP BY payment_id) l ON l.payment_id = p.payment_id
            LEFT JOIN (SELECT payment_id, sum(amount_minor) FILTER (WHERE cause = 'admin' AND status = 'succeeded') AS admin_refunded,
                              count(*) FILTER (WHERE status = 'processing') AS in_progress
                       FROM refunds GROUP BY payment_id) r ON r.payment_id = p.payment_id
            LEFT JOIN order_outcomes o ON o.order_id = p.order_id
            WHERE \(orderId)::text IS NULL OR p.order_id = \(orderId)
            ORDER BY p.created_at, p.payment_id
            """, logger: logger)
        var facts: [MoneyFacts] = []
        for try await (order, payment, statusText, amount, currency, captured, refunded, ledgerCaptured, ledgerRefunded, adminRefunded, inProgress, outcome)
            in rows.decode((String, String, String, Int64, String, Int64, Int64, Int64, Int64, Int64, Int64, String?).self) {
            guard let status = PaymentStatus(rawValue: statusText) else { throw StoreError.corrupt("a payment has the unknown status \(statusText)") }
            facts.append(MoneyFacts(orderId: order, paymentId: payment, status: status, amount: Money(minorUnits: amount, currency: try Self.currency(currency)),
                                    capturedMinor: captured, refundedMinor: refunded, ledgerCapturedMinor: ledgerCaptured,
                                    ledgerRefundedMinor: ledgerRefunded, adminRefundedMinor: adminRefunded, refundsInProgress: Int(inProgress),
                                    outcome: outcome.flatMap(OrderOutcome.init(rawValue:))))
        }
        return facts
    }
}
