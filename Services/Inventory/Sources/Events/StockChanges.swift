import BazaarMessaging
import Logging
import PostgresNIO

/// The one way a change to a SKU's stock is written, by administrators and by the saga alike:
/// the new level over the locked row, its ledger row (who, why, before and after) and, when the
/// change made the SKU fall to its threshold, `stock.low` — all on the caller's transaction.
struct StockChanges: Sendable {
    let stock: StockStore
    let events: InventoryEvents

    /// Writes `next` over `current` (read under its row lock) and returns the level as saved.
    func write(_ next: StockLevel, replacing current: StockLevel, kind: LedgerEntry.Kind, reason: String, actor: String, context: EventContext,
               on connection: PostgresConnection, logger: Logger) async throws -> StockLevel {
        let (watched, announce) = next.watchingLowStock(after: current)
        let saved = try await stock.update(watched, before: current, kind: kind, reason: reason, actor: actor, requestID: context.requestID,
                                           on: connection)
        if announce { try await events.low(saved, context: context, on: connection, logger: logger) }
        return saved
    }
}
