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
}
