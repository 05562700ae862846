import BazaarContracts
import BazaarMessaging
import BazaarPostgresMessaging
import PostgresNIO

/// Lets the inventory apply a batch of waiting events in one transaction without deadlocks.
///
/// Reservations lock stock rows that orders on other partitions lock too. Before a batch runs,
/// this locks every row its handlers will lock, in one global order: first the reservations of
/// the orders it confirms or cancels (by order id), then the stock rows it moves (by SKU; for
/// catalog events every row of the product). The handlers then lock rows the transaction
/// already holds. Single events lock reservation before stock and stock in SKU order as well,
/// and the expiry sweeper takes reservations with `SKIP LOCKED`, so no two transactions can wait
/// on each other in a cycle.
struct BatchLocks: Sendable {
    func lock(_ events: [BatchedEvent], context: HandlerContext) async throws {
        var orderIds: [String] = []
        var skus: Set<String> = []
        var productIds: Set<String> = []
        for event in events {
            switch event.attributes.type {
            case OrderPlaced.eventType.name:
                skus.formUnion(try decode(OrderPlaced.self, event).data.lines.map(\.sku))
            case OrderConfirmed.eventType.name:
                orderIds.append(try decode(OrderConfirmed.self, event).data.orderId)
            case OrderCancelled.eventType.name:
                orderIds.append(try decode(OrderCancelled.self, event).data.orderId)
            case ProductCreated.eventType.name:
                let product = try decode(ProductCreated.self, event).data.product
                skus.insert(product.sku)
                productIds.insert(product.productId)
            case ProductUpdated.eventType.name:
                let product = try decode(ProductUpdated.self, event).data.product
                skus.insert(product.sku)
                productIds.insert(product.productId)
            case ProductDeleted.eventType.name:
                let deleted = try decode(ProductDeleted.self, event).data
                skus.insert(deleted.sku)
                productIds.insert(deleted.productId)
            default:
                break
            }
        }
        let connection = context.connection
        if !orderIds.isEmpty {
            // Rows are read to the end: a failure (a lock timeout, say) arrives with them.
            for try await _ in try await connection.query("SELECT order_id FROM reservations WHERE order_id = ANY(\(orderIds)) ORDER BY order_id FOR UPDATE",
                                                          logger: context.logger) {}
            let lines = try await connection.query("SELECT DISTINCT sku FROM reservation_lines WHERE order_id = ANY(\(orderIds))",
                                                   logger: context.logger)
            for try await sku in lines.decode(String.self) { skus.insert(sku) }
        }
        guard !skus.isEmpty else { return }
        for try await _ in try await connection.query("""
            SELECT sku FROM stock_items WHERE sku = ANY(\(Array(skus))) OR product_id = ANY(\(Array(productIds))) ORDER BY sku FOR UPDATE
            """, logger: context.logger) {}
    }

    private func decode<Payload: EventPayload>(_ type: Payload.Type, _ event: BatchedEvent) throws -> CloudEvent<Payload> {
        try EventCodec.decode(type, from: event.message.value)
    }
}
