import BazaarMessaging
import BazaarPostgres
import Foundation
import Logging
import ServiceLifecycle

/// Cancels orders still PENDING or AWAITING_PAYMENT after their payment deadline (`timeout`).
/// Every `interval` it takes up to 100 such orders, locked with SKIP LOCKED so replicas share the
/// work, and cancels them in one transaction with the events announcing it.
struct PaymentDeadlines: Service {
    let database: PostgresStore
    let saga: OrderSaga
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await runBatchSweeps(every: interval, batchSize: 100, logger: logger,
                              failure: "could not cancel orders past their payment deadline") { try await sweep() }
    }

    /// Cancels one batch; returns how many orders it found.
    func sweep(now: Date = Date()) async throws -> Int {
        try await database.transaction { connection in
            let due = try await saga.store.pastDeadline(now: now, limit: 100, on: connection)
            for order in due {
                _ = try await saga.apply(.paymentDeadlinePassed, to: order, eventId: nil, context: .background(), on: connection, logger: logger)
            }
            return due.count
        }
    }
}
