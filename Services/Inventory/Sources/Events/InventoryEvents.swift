import BazaarContracts
import BazaarMessaging
import BazaarPostgresMessaging
import Foundation
import Logging
import PostgresNIO

/// Every event the inventory service publishes, built here and nowhere else. Each function
/// appends its event to the outbox on `connection`, inside the transaction making the change.
struct InventoryEvents: Sendable {
    let outbox: Outbox

    /// `stock.low`: `level` just fell to or below its threshold (once per fall; see
    /// ``StockLevel/watchingLowStock(after:)``).
    func low(_ level: StockLevel, context: EventContext, on connection: PostgresConnection, logger: Logger) async throws {
        try await outbox.append(StockLow(sku: level.sku, available: level.available, threshold: level.lowStockThreshold, occurredAt: level.updatedAt),
                                context: context, on: connection, logger: logger)
    }

    /// `stock.reserved`: every line of the order is held until `expiresAt`.
    func reserved(_ reservation: Reservation, context: EventContext, on connection: PostgresConnection, logger: Logger) async throws {
        try await outbox.append(StockReserved(orderId: reservation.orderId, reservationId: reservation.reservationId,
                                              lines: reservation.lines.map { StockLine(sku: $0.sku, quantity: $0.quantity) },
                                              expiresAt: reservation.expiresAt ?? reservation.createdAt, reservedAt: reservation.createdAt),
                                context: context, on: connection, logger: logger)
    }

    /// `stock.rejected`: nothing was held for the order; each short line with what was requested and available.
    func rejected(orderId: String, shortages: [Reservation.Shortage], at time: Date, context: EventContext, on connection: PostgresConnection,
                  logger: Logger) async throws {
        try await outbox.append(StockRejected(orderId: orderId,
                                              shortages: shortages.map { StockShortage(sku: $0.sku, requested: $0.requested, available: $0.available) },
                                              rejectedAt: time),
                                context: context, on: connection, logger: logger)
    }

    /// `stock.released`: the order's units are back for sale (`reason`: the order was cancelled, or the hold expired).
    func released(_ reservation: Reservation, reason: StockReleased.Reason, at time: Date, context: EventContext, on connection: PostgresConnection,
                  logger: Logger) async throws {
        try await outbox.append(StockReleased(orderId: reservation.orderId, reservationId: reservation.reservationId,
                                              lines: reservation.lines.map { StockLine(sku: $0.sku, quantity: $0.quantity) }, reason: reason,
                                              releasedAt: time),
                                context: context, on: connection, logger: logger)
    }
}
