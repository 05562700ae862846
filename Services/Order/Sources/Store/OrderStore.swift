import BazaarCore
import BazaarPostgres
import Foundation
import Logging
import PostgresNIO

/// The order service's SQL. Every method runs on the caller's connection (a transaction when it
/// changes something, so the order and the events announcing the change commit together).
struct OrderStore: Sendable {
    let logger: Logger

    private static let encoder = JSONEncoder()
    private static let decoder = JSONDecoder()

    /// Inserts a new order; false when an order with its id exists (a redelivered or repeated checkout).
    func insert(_ order: Order, on connection: PostgresConnection) async throws -> Bool {
        let document = try Self.document(order)
        let rows = try await connection.query("""
            INSERT INTO orders (order_id, user_id, status, currency, total_minor, placed_at, pay_by, updated_at, version, document)
            VALUES (\(order.id), \(order.userId), \(order.status.rawValue), \(order.currency.code), \(order.totals.total.minorUnits),
                    \(order.placedAt), \(order.payBy), \(order.updatedAt), \(order.version), \(document)::jsonb)
            ON CONFLICT (order_id) DO NOTHING RETURNING order_id
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// Writes `order` over the stored version it was read at (locked with `forUpdate`), bumping the version.
    func update(_ order: Order, on connection: PostgresConnection) async throws -> Order {
        var saved = order
        saved.version += 1
        let document = try Self.document(saved)
        let rows = try await connection.query("""
            UPDATE orders SET status = \(saved.status.rawValue), updated_at = \(saved.updatedAt), version = \(saved.version), document = \(document)::jsonb
            WHERE order_id = \(saved.id) AND version = \(order.version) RETURNING order_id
            """, logger: logger)
        for try await _ in rows { return saved }
        throw StoreError.corrupt("order \(order.id) changed while locked (version \(order.version))")
    }

    func order(id: String, forUpdate: Bool = false, on connection: PostgresConnection) async throws -> Order? {
        let lock = forUpdate ? " FOR UPDATE" : ""
        let rows = try await connection.query("SELECT document::text FROM orders WHERE order_id = \(id)\(unescaped: lock)", logger: logger)
        for try await document in rows.decode(String.self) { return try Self.order(from: document) }
        return nil
    }

    /// A page of orders, newest first, optionally only one user's and one status.
    func orders(userId: String?, status: OrderStatus?, page: PageRequest, on connection: PostgresConnection) async throws -> (items: [Order], total: Int) {
        let rows = try await connection.query("""
            SELECT document::text, count(*) OVER () FROM orders
            WHERE (\(userId)::text IS NULL OR user_id = \(userId)) AND (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue))
            ORDER BY placed_at DESC, order_id DESC LIMIT \(page.limit) OFFSET \(page.offset)
            """, logger: logger)
        var items: [Order] = []
        var total = 0
        for try await (document, count) in rows.decode((String, Int).self) {
            items.append(try Self.order(from: document))
            total = count
        }
        if items.isEmpty && page.offset > 0 {
            // Past the last page: the window count came with no row; count on its own.
            let counted = try await connection.query("""
                SELECT count(*) FROM orders
                WHERE (\(userId)::text IS NULL OR user_id = \(userId)) AND (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue))
                """, logger: logger)
            for try await count in counted.decode(Int.self) { total = count }
        }
        return (items, total)
    }

    /// Up to `limit` open orders past their payment deadline, locked; ones another replica is
    /// handling right now are skipped.
    func pastDeadline(now: Date, limit: Int, on connection: PostgresConnection) async throws -> [Order] {
        let rows = try await connection.query("""
            SELECT document::text FROM orders WHERE status IN ('pending', 'awaiting_payment') AND pay_by <= \(now)
            ORDER BY pay_by LIMIT \(limit) FOR UPDATE SKIP LOCKED
            """, logger: logger)
        var orders: [Order] = []
        for try await document in rows.decode(String.self) { orders.append(try Self.order(from: document)) }
        return orders
    }

    private static func document(_ order: Order) throws -> String {
        String(decoding: try encoder.encode(order), as: UTF8.self)
    }

    private static func order(from document: String) throws -> Order {
        do {
            return try decoder.decode(Order.self, from: Data(document.utf8))
        } catch {
            throw StoreError.corrupt("an order document does not decode: \(error)")
        }
    }
}
