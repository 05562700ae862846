import BazaarMessaging
import BazaarPostgres
import Logging
import ServiceLifecycle

/// Releases holds that ran out (`stock.released` with reason `expired`; the order saga treats it
/// as a timeout). Every `interval` it takes up to 100 expired holds, locked with SKIP LOCKED so
/// replicas share the work, and releases each in its own transaction.
struct ReservationExpiry: Service {
    let database: PostgresStore
    let book: ReservationBook
    let reservations: ReservationStore
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await runBatchSweeps(every: interval, batchSize: 100, logger: logger,
                              failure: "could not release expired reservations") { try await sweep() }
    }

    /// Releases one batch; returns how many holds it found.
    func sweep() async throws -> Int {
        try await database.transaction { connection in
            let expired = try await reservations.expired(limit: 100, on: connection)
            for orderId in expired {
                try await book.expire(orderId: orderId, context: EventContext(traceparent: nil, requestID: nil), on: connection, logger: logger)
            }
            return expired.count
        }
    }
}
