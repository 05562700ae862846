import BazaarContracts
import BazaarCore
import BazaarMessaging
import BazaarPostgres
import Foundation
import Hummingbird
import PostgresNIO

/// The customers' payments (own only; another user's payment is a 404, as if it did not exist)
/// and the administrators' desk: every payment, its ledger, partial refunds and reconciliation.
struct PaymentRoutes: Sendable {
    let database: PostgresStore
    let book: PaymentBook
    let processor: PaymentProcessor

    var store: PaymentStore { book.store }

    struct RefundBody: Decodable {
        var amount: Money?
        var reason: String?
    }

    /// What the refund's idempotency digest covers.
    struct RefundFingerprint: Encodable {
        var amount: Money
        var reason: String
    }

    func add(to router: Router<ServiceRequestContext>) {
        router.get("/api/payments", use: list)
        router.get("/api/payments/all", use: listAll)
        router.get("/api/payments/reconciliation", use: reconciliation)
        router.get("/api/payments/:id", use: show)
        router.get("/api/payments/:id/ledger", use: ledger)
        router.post("/api/payments/:id/refunds", use: createRefund)
    }

    /// The signed-in customer's payments, newest first; `orderId` narrows to one order's.
    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> Page<PaymentView> {
        let user = try context.requireUser()
        return try await page(request, userId: user.userID)
    }

    /// Every payment (administrators), by `userId`, `orderId` and `status`.
    @Sendable func listAll(_ request: Request, context: ServiceRequestContext) async throws -> Page<PaymentView> {
        _ = try context.requireRole(.admin)
        let userId = request.uri.queryParameters.get("userId")
        var validation = Validation()
        validation.optionalIdentifier(userId, "userId")
        try validation.check()
        return try await page(request, userId: userId)
    }

    @Sendable func show(_ request: Request, context: ServiceRequestContext) async throws -> PaymentView {
        let user = try context.requireUser()
        let id = try Self.paymentId(context)
        return try await database.withConnection { connection in
            guard let payment = try await store.payment(id: id, on: connection), Self.visible(payment, to: user) else { throw Self.notFound }
            return PaymentView(payment, refunds: try await store.refunds(paymentId: id, on: connection))
        }
    }

    /// Every ledger entry of a payment, oldest first (administrators).
    @Sendable func ledger(_ request: Request, context: ServiceRequestContext) async throws -> LedgerView {
        _ = try context.requireRole(.admin)
        let id = try Self.paymentId(context)
        return try await database.withConnection { connection in
            guard try await store.payment(id: id, on: connection) != nil else { throw Self.notFound }
            return LedgerView(paymentId: id, entries: try await store.ledger(paymentId: id, on: connection))
        }
    }

    /// An administrator's partial refund, with `Idempotency-Key`: 201 with the refund, tried
    /// with the provider at once (`processing` when the provider has not answered yet). The same
    /// key again answers with the same refund; with another body, 422. More than what is left
    /// of the capture (other refunds counted, also concurrent ones) is a 409 and refunds nothing.
    @Sendable func createRefund(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<RefundView> {
        let admin = try context.requireRole(.admin)
        let id = try Self.paymentId(context)
        let key = try IdempotencyKey.from(request, for: "A refund")
        let body = try await request.decode(as: RefundBody.self, context: context)
        var validation = Validation()
        let reason = validation.text(body.reason, "reason", maxLength: 500)
        validation.require(body.amount != nil, "amount", "is required: {minorUnits, currency}")
        if let amount = body.amount {
            validation.require(amount.minorUnits > 0, "amount.minorUnits", "must be more than zero")
        }
        try validation.check()
        let amount = body.amount!
        let digest = try IdempotencyKey.fingerprint(RefundFingerprint(amount: amount, reason: reason!))
        let (refund, created) = try await database.transaction { connection -> (Refund, Bool) in
            guard let payment = try await store.payment(id: id, forUpdate: true, on: connection) else { throw Self.notFound }
            if let (earlier, earlierDigest) = try await store.refund(paymentId: id, requestKey: key, on: connection) {
                guard earlierDigest == digest else {
                    throw ProblemError.unprocessable("This Idempotency-Key was used for another refund request; use a new key for a new refund.")
                }
                return (earlier, false)
            }
            guard amount.currency == payment.amount.currency else {
                throw ProblemError.validation([FieldError(field: "amount.currency", message: "must be the payment's currency, \(payment.amount.currency)")])
            }
            guard payment.status == .captured else {
                throw ProblemError.conflict("Only a captured payment can be refunded; this one is \(payment.status.rawValue).")
            }
            let refundable = try await book.refundable(payment, on: connection)
            guard amount.minorUnits <= refundable else {
                throw ProblemError.conflict("At most \(refundable) \(payment.amount.currency) minor units are left to refund of this payment.")
            }
            let refund = try await book.openRefund(of: payment, amount: amount, cause: .admin, reason: reason!, requestedBy: admin.userID, requestKey: key,
                                                   requestDigest: digest, heldFor: processor.settings.lease, on: connection, logger: context.logger)
            return (refund, true)
        }
        // A new refund is this request's to carry out; a repeated request answers with the refund as it is.
        let current = created ? try await processor.carryOut(refund) ?? refund : refund
        return EditedResponse(status: created ? .created : .ok, response: RefundView(current))
    }

    /// Orders whose money does not match their state (administrators).
    @Sendable func reconciliation(_ request: Request, context: ServiceRequestContext) async throws -> ReconciliationReport {
        _ = try context.requireRole(.admin)
        return try await database.withConnection { try await PaymentReconciler(store: store).report(on: $0) }
    }

    // MARK: Helpers

    private func page(_ request: Request, userId: String?) async throws -> Page<PaymentView> {
        let parameters = request.uri.queryParameters
        var validation = Validation()
        let status = validation.optionalCase(parameters.get("status"), "status", of: PaymentStatus.self)
        let orderId = parameters.get("orderId")
        validation.optionalIdentifier(orderId, "orderId")
        try validation.check()
        let page = try PageRequest.from(parameters)
        let (items, total) = try await database.withConnection {
            try await store.payments(userId: userId, orderId: orderId, status: status, page: page, on: $0)
        }
        return Page(items: items.map { PaymentView($0) }, total: total, request: page)
    }

    /// Customers see their own payments; administrators every payment.
    static func visible(_ payment: Payment, to user: Identity) -> Bool {
        user.role == .admin || payment.userId == user.userID
    }

    static let notFound = ProblemError.notFound("No such payment.")

    /// The `id` path parameter (see ``ServiceRequestContext/identifier(_:orThrow:)``).
    static func paymentId(_ context: ServiceRequestContext) throws -> String {
        try context.identifier(orThrow: notFound)
    }
}

/// Reconciliation: every payment's money against its ledger and its order's outcome.
struct PaymentReconciler: Sendable {
    let store: PaymentStore

    func report(on connection: PostgresConnection) async throws -> ReconciliationReport {
        let facts = try await store.moneyFacts(on: connection)
        return ReconciliationReport(checkedAt: Date(), checked: facts.count, open: facts.filter { $0.outcome == nil }.count,
                                    mismatches: facts.compactMap(Reconciliation.check))
    }
}
