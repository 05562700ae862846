import BazaarContracts
import BazaarPostgresMessaging
import Foundation
import PostgresNIO

/// Learns SKUs from the catalog's product events, in the transaction that records each event in
/// the inbox. A SKU seen for the first time starts with `startingQuantity(sku)` units (zero, or
/// the demo quantities) and a ledger row saying so; a deleted product's SKU stays (its ledger
/// and any reservations do) but can no longer be sold. Snapshots carry the product's version:
/// an older one than already applied changes nothing.
struct CatalogHandlers: Sendable {
    let stock: StockStore
    let startingQuantity: @Sendable (String) -> Int

    var handlers: EventHandlers {
        var handlers = EventHandlers()
        handlers.on(ProductCreated.self) { event, context in
            try await learn(event.data.product, at: event.data.occurredAt, context: context)
        }
        handlers.on(ProductUpdated.self) { event, context in
            try await learn(event.data.product, at: event.data.occurredAt, context: context)
        }
        handlers.on(ProductDeleted.self) { event, context in
            let deleted = event.data
            _ = try await stock.applyCatalog(sku: deleted.sku, productId: deleted.productId, sellable: false, productVersion: deleted.version,
                                             on: context.connection)
        }
        return handlers
    }

    private func learn(_ product: ProductSnapshot, at time: Date, context: HandlerContext) async throws {
        let connection = context.connection
        let level = StockLevel.learned(sku: product.sku, productId: product.productId, onHand: startingQuantity(product.sku), now: time)
        if try await stock.insert(level, productVersion: product.version, on: connection) {
            try await stock.record(LedgerEntry.Draft(sku: level.sku, kind: .initial, reason: "learned from the catalog", actor: "catalog",
                                                     before: StockLevel.learned(sku: level.sku, productId: level.productId, onHand: 0, now: time),
                                                     after: level, requestID: context.eventContext.requestID),
                               on: connection)
        } else {
            _ = try await stock.applyCatalog(sku: product.sku, productId: product.productId, sellable: true, productVersion: product.version,
                                             on: connection)
        }
        // A product whose SKU changed: its old SKU is no longer sold.
        try await stock.retireOtherSKUs(of: product.productId, keeping: product.sku, productVersion: product.version, on: connection)
    }
}
