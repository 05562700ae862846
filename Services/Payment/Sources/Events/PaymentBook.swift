import BazaarContracts
import BazaarMessaging
import BazaarPostgres
import BazaarPostgresMessaging
import Foundation
import Logging
import Metrics
import PostgresNIO

/// Every change to payments and refunds, each inside the caller's transaction together with its
/// ledger entries and the events announcing it (outbox). The rows it changes are locked by the
/// caller (`forUpdate`), so two replicas or a webhook racing a worker apply one outcome once.
struct PaymentBook: Sendable {
    let store: PaymentStore
    let outbox: Outbox
    let metrics: PaymentMetrics

    /// The channel the payment worker listens on; notified when a payment or refund is due.
    static let workChannel = "bazaar_payments"

    // MARK: Charges

    /// `order.payment_requested`: records one payment per order for the worker to charge. A
    /// second request for the same order (a redelivery, a repeated event, another replica)
    /// finds the order's payment and changes nothing. An amount that cannot be charged fails the
    /// payment at once, so the order is cancelled instead of waiting for its deadline.
    func open(_ request: OrderPaymentRequested, eventId: String, context: EventContext, on connection: PostgresConnection, logger: Logger) async throws {
        guard !request.orderId.isEmpty, !request.userId.isEmpty else {
            throw UndecodableEvent(reason: "order.payment_requested \(eventId) names no order or no user")
        }
        let now = Date()
        let id = PaymentIdentifiers.make("pay")
        var payment = Payment(id: id, orderId: request.orderId, userId: request.userId, amount: request.amount, paymentMethod: request.paymentMethod,
                              card: nil, status: .processing, idempotencyKey: Payment.chargeKey(paymentId: id), providerReference: nil,
                              failureCode: nil, failureMessage: nil, capturedMinor: 0, refundedMinor: 0, attempts: 0, lastError: nil,
                              createdAt: now, updatedAt: now)
        let invalid = request.amount.minorUnits <= 0 || request.paymentMethod.isEmpty || request.paymentMethod.count > 200
        if invalid {
            payment.amount.minorUnits = max(0, request.amount.minorUnits)
        }
        guard try await store.insert(payment, on: connection) else {
            logger.info("the order already has a payment; nothing charged again", metadata: ["order_id": .string(request.orderId), "event_id": .string(eventId)])
            return
        }
        try await store.append(.created, payment: payment, detail: "requested by event \(eventId)", on: connection)
        if invalid {
            let message = request.amount.minorUnits <= 0 ? "The amount to pay must be more than zero." : "No usable payment method was given."
            try await fail(payment, code: "invalid_request", message: message, context: context, on: connection, logger: logger)
            return
        }
        try await connection.run("SELECT pg_notify(\(Self.workChannel), '')", logger: logger)
    }

    /// Applies the provider's answer to `payment` (locked): captured → `payment.authorized`,
    /// declined → `payment.failed`, pending → waits for the webhook. Returns false when the payment
    /// was already settled (the answer came twice: a webhook and a retry), changing nothing.
    @discardableResult
    func settle(_ payment: Payment, with outcome: ChargeOutcome, context: EventContext, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        guard payment.status == .processing || payment.status == .awaitingProvider else {
            logger.info("payment already settled; provider answer ignored", metadata: ["payment_id": .string(payment.id), "status": .string(payment.status.rawValue)])
            return false
        }
        var next = payment
        next.updatedAt = Date()
        next.lastError = nil
        switch outcome {
        case .captured(let reference, let card):
            next.status = .captured
            next.providerReference = reference
            next.card = card ?? payment.card
            next.capturedMinor = payment.amount.minorUnits
            try await store.save(next, on: connection)
            try await store.append(.captured, payment: next, amountMinor: next.capturedMinor, detail: "provider reference \(reference)", on: connection)
            try await outbox.append(PaymentAuthorized(paymentId: next.id, orderId: next.orderId, userId: next.userId, amount: next.captured,
                                                      authorizedAt: next.updatedAt),
                                    context: context, on: connection, logger: logger)
            metrics.settled(next, outcome: "captured")
            logger.info("payment captured", metadata: ["payment_id": .string(next.id), "order_id": .string(next.orderId)])
        case .declined(let reference, let card, let code, let message):
            next.providerReference = reference ?? payment.providerReference
            next.card = card ?? payment.card
            try await fail(next, code: code, message: message, context: context, on: connection, logger: logger)
        case .pending(let reference, let card):
            guard payment.status == .processing else { return false }
            next.status = .awaitingProvider
            next.providerReference = reference
            next.card = card
            try await store.save(next, on: connection)
            try await store.append(.awaitingProvider, payment: next, detail: "provider reference \(reference); the answer comes by webhook", on: connection)
            logger.info("payment awaits the provider's webhook", metadata: ["payment_id": .string(next.id), "order_id": .string(next.orderId)])
        }
        return true
    }

    /// Fails `payment` (locked) with a reason a shopper can read → `payment.failed`.
    func fail(_ payment: Payment, code: String, message: String, context: EventContext, on connection: PostgresConnection, logger: Logger) async throws {
        var next = payment
        next.status = .failed
        next.failureCode = code
        next.failureMessage = message
        next.updatedAt = Date()
        try await store.save(next, on: connection)
        try await store.append(.failed, payment: next, detail: "\(code): \(message)", on: connection)
        try await outbox.append(PaymentFailed(paymentId: next.id, orderId: next.orderId, userId: next.userId, amount: next.amount, reasonCode: code,
                                              message: message, failedAt: next.updatedAt),
                                context: context, on: connection, logger: logger)
        metrics.settled(next, outcome: "failed")
        logger.info("payment failed", metadata: ["payment_id": .string(next.id), "order_id": .string(next.orderId), "reason": .string(code)])
    }

    /// Records a failed attempt that will be tried again (the ledger keeps every attempt).
    func attemptFailed(_ payment: Payment, error: String, retryAfter delay: Duration, on connection: PostgresConnection) async throws {
        try await store.retryLater(paymentId: payment.id, after: delay, error: error, on: connection)
        try await store.append(.attemptFailed, payment: payment, detail: "attempt \(payment.attempts): \(error)", on: connection)
    }

    // MARK: Refunds

    /// What can still be refunded of `payment` (locked): captured, less refunds done or under way.
    func refundable(_ payment: Payment, on connection: PostgresConnection) async throws -> Int64 {
        guard payment.status == .captured else { return 0 }
        return payment.capturedMinor - (try await store.committedRefunds(paymentId: payment.id, on: connection))
    }

    /// Opens a refund of `amount` from `payment` (locked; the caller checked it is refundable):
    /// for the worker to carry out, or, with `heldFor`, held for the caller, who carries it out
    /// itself after the commit (the worker takes it over if the caller dies before).
    func openRefund(of payment: Payment, amount: Money, cause: RefundCause, reason: String, requestedBy: String, requestKey: String? = nil,
                    requestDigest: String? = nil, heldFor lease: Duration? = nil, on connection: PostgresConnection, logger: Logger) async throws -> Refund {
        let now = Date()
        let id = PaymentIdentifiers.make("re")
        let refund = Refund(id: id, paymentId: payment.id, orderId: payment.orderId, amount: amount, cause: cause, reason: reason,
                            requestedBy: requestedBy, status: .processing, idempotencyKey: Refund.refundKey(refundId: id), providerReference: nil,
                            failureCode: nil, failureMessage: nil, createdAt: now, updatedAt: now)
        try await store.insert(refund, requestKey: requestKey, requestDigest: requestDigest, heldFor: lease, on: connection)
        try await store.append(.refundRequested, payment: payment, refundId: id, detail: "\(amount.minorUnits) \(amount.currency): \(reason)", on: connection)
        if lease == nil {
            try await connection.run("SELECT pg_notify(\(Self.workChannel), '')", logger: logger)
        }
        logger.info("refund opened", metadata: ["payment_id": .string(payment.id), "refund_id": .string(id), "cause": .string(cause.rawValue)])
        return refund
    }

    /// Applies the provider's answer to `refund` and its `payment` (both locked): succeeded →
    /// `payment.refunded`; failed → recorded for an operator (reconciliation lists the order).
    func settle(_ refund: Refund, of payment: Payment, with outcome: RefundOutcome, context: EventContext, on connection: PostgresConnection,
                logger: Logger) async throws {
        guard refund.status == .processing else { return }
        var next = refund
        next.updatedAt = Date()
        switch outcome {
        case .succeeded(let reference):
            next.status = .succeeded
            next.providerReference = reference
            var paid = payment
            paid.refundedMinor += refund.amount.minorUnits
            paid.updatedAt = next.updatedAt
            try await store.save(next, on: connection)
            try await store.save(paid, on: connection)
            try await store.append(.refunded, payment: paid, refundId: refund.id, amountMinor: -refund.amount.minorUnits,
                                   detail: "provider reference \(reference)", on: connection)
            try await outbox.append(PaymentRefunded(paymentId: paid.id, refundId: refund.id, orderId: paid.orderId, userId: paid.userId,
                                                    amount: refund.amount, refundedAt: next.updatedAt),
                                    context: context, on: connection, logger: logger)
            metrics.refunded(refund, outcome: "succeeded")
            logger.info("refund succeeded", metadata: ["payment_id": .string(paid.id), "refund_id": .string(refund.id)])
        case .failed(let reference, let code, let message):
            next.status = .failed
            next.providerReference = reference
            next.failureCode = code
            next.failureMessage = message
            try await store.save(next, on: connection)
            try await store.append(.refundFailed, payment: payment, refundId: refund.id, detail: "\(code): \(message)", on: connection)
            metrics.refunded(refund, outcome: "failed")
            logger.error("refund failed; the order's money needs an operator", metadata: [
                "payment_id": .string(payment.id), "refund_id": .string(refund.id), "reason": .string(code), "message": .string(message),
            ])
        }
    }

    /// Records a failed refund attempt that will be tried again.
    func refundAttemptFailed(_ refund: Refund, of payment: Payment, attempt: Int, error: String, retryAfter delay: Duration,
                             on connection: PostgresConnection) async throws {
        try await store.retryRefundLater(refundId: refund.id, after: delay, error: error, on: connection)
        try await store.append(.attemptFailed, payment: payment, refundId: refund.id, detail: "refund attempt \(attempt): \(error)", on: connection)
    }
}

/// The payment service's business metrics in `/metrics`: payments settled by outcome and
/// currency with the money captured, refunds by outcome, and the time from a payment request to
/// its answer (`payment_request_to_answer_seconds`).
struct PaymentMetrics: Sendable {
    let factory: any MetricsFactory
    let requestToAnswer: Metrics.Timer

    init(factory: any MetricsFactory) {
        self.factory = factory
        requestToAnswer = Metrics.Timer(label: "payment_request_to_answer_seconds", factory: factory)
    }

    /// Counted once the transaction committed (a rolled-back attempt counts nothing).
    func settled(_ payment: Payment, outcome: String) {
        PostgresStore.afterCommit { [self] in
            Counter(label: "payment_payments_total", dimensions: [("outcome", outcome)], factory: factory).increment()
            if outcome == "captured" {
                Counter(label: "payment_captured_minor_units_total", dimensions: [("currency", payment.amount.currency.code)], factory: factory)
                    .increment(by: Int(payment.capturedMinor))
            }
            requestToAnswer.recordNanoseconds(Int64(max(0, payment.updatedAt.timeIntervalSince(payment.createdAt)) * 1_000_000_000))
        }
    }

    /// Counted once the transaction committed.
    func refunded(_ refund: Refund, outcome: String) {
        PostgresStore.afterCommit { [self] in
            Counter(label: "payment_refunds_total", dimensions: [("outcome", outcome), ("cause", refund.cause.rawValue)], factory: factory).increment()
            if outcome == "succeeded" {
                Counter(label: "payment_refunded_minor_units_total", dimensions: [("currency", refund.amount.currency.code)], factory: factory)
                    .increment(by: Int(refund.amount.minorUnits))
            }
        }
    }

    func providerCall(_ operation: String, result: String) {
        Counter(label: "payment_provider_calls_total", dimensions: [("operation", operation), ("result", result)], factory: factory).increment()
    }
}
