import BazaarContracts
import BazaarMessaging
import BazaarPostgres
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// How the worker paces itself and retries the provider.
struct ProcessingSettings: Sendable {
    /// Attempts at a charge or refund the provider keeps failing temporarily, before the charge
    /// fails as `processing_error` (a refund as well, for an operator to see).
    var maximumAttempts = 4
    /// The wait after the first failed attempt, doubling with each further one (at most 30 s).
    var initialBackoff: Duration = .milliseconds(500)
    /// How long a worker holds a payment while it talks to the provider; a crashed worker's
    /// payments are taken over by another (or by itself after a restart) once it runs out.
    var lease: Duration = .seconds(30)
    /// How often to look for due work when no notification arrives.
    var pollInterval: Duration = .seconds(1)
    /// Payments (and refunds) taken per round, carried out concurrently.
    var batchSize = 32

    func backoff(afterAttempt attempt: Int) -> Duration {
        let factor = 1 << min(max(attempt - 1, 0), 16)
        return min(initialBackoff * factor, .seconds(30))
    }
}

/// Carries out charges and refunds with the provider. Woken by `LISTEN bazaar_payments` when a
/// transaction opens a payment or refund (and by a poll as a fallback), it takes due ones with a
/// lease (`FOR UPDATE SKIP LOCKED`, so replicas share the work), asks the provider under each
/// one's idempotency key, and records the answer in a transaction with its ledger entries and
/// events. A crash between the provider's answer and that commit leaves the payment
/// `processing`: when the lease runs out it is asked again under the same key, and the provider
/// answers with the first outcome instead of charging again.
final class PaymentProcessor: Service, Sendable {
    let database: PostgresStore
    let book: PaymentBook
    let provider: any PaymentProvider
    let settings: ProcessingSettings
    let logger: Logger
    private let wakeup = WakeupSignal()

    init(database: PostgresStore, book: PaymentBook, provider: any PaymentProvider, settings: ProcessingSettings, logger: Logger) {
        self.database = database
        self.book = book
        self.provider = provider
        self.settings = settings
        self.logger = logger
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.database.listen(on: PaymentBook.workChannel) { self.wakeup.signal() } }
                await work()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.wakeup.signal()
        }
    }

    private func work() async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                while try await processDue() >= settings.batchSize && !Task.isShuttingDownGracefully {}
            } catch {
                logger.error("could not process payments", metadata: ["error": .string(PostgresFailure.describe(error))])
            }
            if Task.isShuttingDownGracefully { return }
            await wakeup.wait(timeout: settings.pollInterval)
        }
    }

    /// Carries out the charges and refunds due now (one batch of each); returns how many it took.
    func processDue() async throws -> Int {
        let (charges, refunds) = try await database.transaction { connection in
            (try await self.book.store.claimDueCharges(limit: self.settings.batchSize, lease: self.settings.lease, on: connection),
             try await self.book.store.claimDueRefunds(limit: self.settings.batchSize, lease: self.settings.lease, on: connection))
        }
        await withTaskGroup(of: Void.self) { group in
            for payment in charges { group.addTask { await self.charge(payment) } }
            for refund in refunds { group.addTask { await self.refund(refund) } }
        }
        return max(charges.count, refunds.count)
    }

    /// Carries out `refund`, which its creator holds (``PaymentBook/openRefund`` with `heldFor`:
    /// an administrator's request waits for its own refund); returns it as it is afterwards.
    func carryOut(_ refund: Refund) async throws -> Refund? {
        await self.refund(refund)
        return try await database.withConnection { try await self.book.store.refund(id: refund.id, on: $0) }
    }

    // MARK: Charges

    /// One attempt at `payment` (held by this worker; its attempt count includes this one).
    private func charge(_ payment: Payment) async {
        let request = ChargeRequest(idempotencyKey: payment.idempotencyKey, paymentId: payment.id, orderId: payment.orderId,
                                    customerId: payment.userId, amount: payment.amount, paymentMethod: payment.paymentMethod)
        let outcome: ChargeOutcome
        do {
            outcome = try await provider.charge(request)
            book.metrics.providerCall("charge", result: "answered")
        } catch {
            book.metrics.providerCall("charge", result: "error")
            await chargeFailedTemporarily(payment, error: "\(error)")
            return
        }
        do {
            try await database.transaction { connection in
                guard let current = try await self.book.store.payment(id: payment.id, forUpdate: true, on: connection) else { return }
                try await self.book.settle(current, with: outcome, context: .background(), on: connection, logger: self.logger)
            }
        } catch {
            // The provider answered but the answer is not recorded: the payment stays
            // `processing`, and the next attempt after the lease gets the same answer.
            logger.error("could not record the provider's answer; it is asked again later", metadata: [
                "payment_id": .string(payment.id), "error": .string(PostgresFailure.describe(error)),
            ])
        }
    }

    private func chargeFailedTemporarily(_ payment: Payment, error: String) async {
        if Task.isShuttingDownGracefully || Task.isCancelled { return }  // left held; taken again when the lease runs out
        do {
            try await database.transaction { connection in
                guard let current = try await self.book.store.payment(id: payment.id, forUpdate: true, on: connection), current.status == .processing else { return }
                if payment.attempts >= self.settings.maximumAttempts {
                    self.logger.warning("the provider kept failing; the payment fails", metadata: ["payment_id": .string(payment.id), "error": .string(error)])
                    try await self.book.fail(current, code: "processing_error",
                                        message: "The payment could not be processed. No money was taken; please try again later.",
                                        context: .background(), on: connection, logger: self.logger)
                } else {
                    let delay = self.settings.backoff(afterAttempt: payment.attempts)
                    self.logger.info("provider failed temporarily; retrying", metadata: [
                        "payment_id": .string(payment.id), "attempt": .stringConvertible(payment.attempts), "error": .string(error),
                    ])
                    try await self.book.attemptFailed(current, error: error, retryAfter: delay, on: connection)
                }
            }
        } catch {
            logger.error("could not record a failed charge attempt", metadata: ["payment_id": .string(payment.id), "error": .string(PostgresFailure.describe(error))])
        }
    }

    // MARK: Refunds

    private func refund(_ refund: Refund) async {
        let payment: Payment?
        do {
            payment = try await database.withConnection { try await self.book.store.payment(id: refund.paymentId, on: $0) }
        } catch {
            logger.error("could not read a refund's payment", metadata: ["refund_id": .string(refund.id), "error": .string(PostgresFailure.describe(error))])
            return
        }
        guard let payment, let chargeReference = payment.providerReference else {
            logger.error("a refund's payment has no captured charge", metadata: ["refund_id": .string(refund.id)])
            return
        }
        let request = RefundRequest(idempotencyKey: refund.idempotencyKey, refundId: refund.id, paymentId: refund.paymentId, orderId: refund.orderId,
                                    chargeReference: chargeReference, amount: refund.amount)
        do {
            let outcome = try await provider.refund(request)
            book.metrics.providerCall("refund", result: "answered")
            try await database.transaction { connection in
                guard let current = try await self.book.store.payment(id: refund.paymentId, forUpdate: true, on: connection),
                      let held = try await self.book.store.refund(id: refund.id, forUpdate: true, on: connection) else { return }
                try await self.book.settle(held, of: current, with: outcome, context: .background(), on: connection, logger: self.logger)
            }
        } catch {
            book.metrics.providerCall("refund", result: "error")
            if Task.isShuttingDownGracefully || Task.isCancelled { return }
            await refundFailedTemporarily(refund, of: payment, error: PostgresFailure.describe(error))
        }
    }

    private func refundFailedTemporarily(_ refund: Refund, of payment: Payment, error: String) async {
        do {
            try await database.transaction { connection in
                guard let current = try await self.book.store.payment(id: refund.paymentId, forUpdate: true, on: connection),
                      let held = try await self.book.store.refund(id: refund.id, forUpdate: true, on: connection), held.status == .processing else { return }
                let attempt = try await self.book.store.refundAttempts(id: refund.id, on: connection)
                if attempt >= self.settings.maximumAttempts {
                    try await self.book.settle(held, of: current, with: .failed(reference: nil, code: "processing_error", message: error),
                                          context: .background(), on: connection, logger: self.logger)
                } else {
                    try await self.book.refundAttemptFailed(held, of: current, attempt: attempt, error: error,
                                                       retryAfter: self.settings.backoff(afterAttempt: attempt), on: connection)
                }
            }
        } catch {
            logger.error("could not record a failed refund attempt", metadata: ["refund_id": .string(refund.id), "error": .string(PostgresFailure.describe(error))])
        }
    }
}
