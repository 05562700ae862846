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
        for try await _ in try await connection.execute(Insert(order: order, document: try Self.document(order)), logger: logger) { return true }
        return false
    }

    /// Writes `order` over the stored version it was read at (locked with `forUpdate`), bumping the version.
    func update(_ order: Order, on connection: PostgresConnection) async throws -> Order {
        var saved = order
        saved.version += 1
        let statement = Update(order: saved, document: try Self.document(saved), readVersion: order.version)
        for try await _ in try await connection.execute(statement, logger: logger) { return saved }
        throw StoreError.corrupt("order \(order.id) changed while locked (version \(order.version))")
    }

    func order(id: String, forUpdate: Bool = false, on connection: PostgresConnection) async throws -> Order? {
        if forUpdate {
            for try await document in try await connection.execute(Locked(key: id), logger: logger) { return try Self.order(from: document) }
            return nil
        }
        let rows = try await connection.query("SELECT document::text FROM orders WHERE order_id = \(id)", logger: logger)
        for try await document in rows.decode(String.self) { return try Self.order(from: document) }
        return nil
    }

    // Every order's saga runs these (an insert, then a locked read and an update per step):
    // prepared once per connection, so Postgres does not parse and plan them for every event.

    struct Insert: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO orders (order_id, user_id, status, currency, total_minor, placed_at, pay_by, updated_at, version, document)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb)
            ON CONFLICT (order_id) DO NOTHING RETURNING order_id
            """
        // Declared, not inferred: the document goes as text and is cast, the version as int8 into an integer.
        static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text, .text, .int8, .timestamptz, .timestamptz, .timestamptz, .int8, .text]
        typealias Row = String
        let order: Order
        let document: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 10)
            bindings.append(order.id)
            bindings.append(order.userId)
            bindings.append(order.status.rawValue)
            bindings.append(order.currency.code)
            bindings.append(order.totals.total.minorUnits)
            bindings.append(order.placedAt)
            bindings.append(order.payBy)
            bindings.append(order.updatedAt)
            bindings.append(order.version)
            bindings.append(document)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(String.self) }
    }

    struct Update: PostgresPreparedStatement {
        static let sql = """
            UPDATE orders SET status = $1, updated_at = $2, version = $3, document = $4::jsonb
            WHERE order_id = $5 AND version = $6 RETURNING order_id
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .timestamptz, .int8, .text, .text, .int8]
        typealias Row = String
        let order: Order
        let document: String
        let readVersion: Int

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 6)
            bindings.append(order.status.rawValue)
            bindings.append(order.updatedAt)
            bindings.append(order.version)
            bindings.append(document)
            bindings.append(order.id)
            bindings.append(readVersion)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(String.self) }
    }

    struct Locked: TextKeyedStatement {
        static let sql = "SELECT document::text FROM orders WHERE order_id = $1 FOR UPDATE"
        let key: String

        func decodeRow(_ row: PostgresRow) throws -> String { try row.decode(String.self) }
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
