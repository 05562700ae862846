import BazaarCore
import BazaarPostgres
import Foundation
import Logging
import PostgresNIO

/// The inventory service's SQL for stock levels and their ledger. Every method runs on a
/// connection the caller passes, so one transaction can hold a change, its ledger row and the
/// event it publishes.
struct StockStore: Sendable {
    let logger: Logger

    static let columns = "sku, product_id, on_hand, reserved, low_stock_threshold, sellable, low_alerted, version, updated_at"
    typealias Row = (String, String, Int, Int, Int, Bool, Bool, Int, Date)

    // MARK: Reading

    func level(sku: String, forUpdate: Bool = false, on connection: PostgresConnection) async throws -> StockLevel? {
        let lock = forUpdate ? " FOR UPDATE" : ""
        return try await levels("SELECT \(unescaped: Self.columns) FROM stock_items WHERE sku = \(sku)\(unescaped: lock)", on: connection).first
    }

    /// The levels of `skus`, locked in SKU order (so two transactions sharing SKUs never wait
    /// on each other in a cycle); SKUs not known are absent.
    func lockedLevels(skus: [String], on connection: PostgresConnection) async throws -> [String: StockLevel] {
        var locked: [String: StockLevel] = [:]
        for try await level in try await connection.execute(LockedLevels(skus: skus), logger: logger) { locked[level.sku] = level }
        return locked
    }

    // Every reservation runs these two (lock the order's SKUs, then move each one's stock with
    // its ledger row): prepared once per connection, so Postgres does not parse and plan them
    // for every order.

    struct LockedLevels: PostgresPreparedStatement {
        static let sql = "SELECT \(StockStore.columns) FROM stock_items WHERE sku = ANY($1) ORDER BY sku FOR UPDATE"
        static let bindingDataTypes: [PostgresDataType] = [.textArray]
        typealias Row = StockLevel
        let skus: [String]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(skus)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { StockStore.level(try row.decode(StockStore.Row.self)) }
    }

    struct UpdateLevel: PostgresPreparedStatement {
        static let sql = """
            WITH saved AS (
                UPDATE stock_items SET on_hand = $1, reserved = $2, low_stock_threshold = $3, low_alerted = $4, version = version + 1, updated_at = now()
                WHERE sku = $5 RETURNING \(StockStore.columns)
            ), ledger AS (
                INSERT INTO stock_ledger (sku, kind, delta, reason, actor, on_hand_before, on_hand_after, reserved_before, reserved_after, request_id)
                SELECT sku, $6, on_hand - $7, $8, $9, $7, on_hand, $10, reserved, $11
                FROM saved
            )
            SELECT \(StockStore.columns) FROM saved
            """
        static let bindingDataTypes: [PostgresDataType] = [.int8, .int8, .int8, .bool, .text, .text, .int8, .text, .text, .int8, .text]
        typealias Row = StockLevel
        let level: StockLevel
        let before: StockLevel
        let kind: LedgerEntry.Kind
        let reason: String
        let actor: String
        let requestID: String?

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 11)
            bindings.append(level.onHand)
            bindings.append(level.reserved)
            bindings.append(level.lowStockThreshold)
            bindings.append(level.lowAlerted)
            bindings.append(level.sku)
            bindings.append(kind.rawValue)
            bindings.append(before.onHand)
            bindings.append(reason)
            bindings.append(actor)
            bindings.append(before.reserved)
            bindings.append(requestID)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { StockStore.level(try row.decode(StockStore.Row.self)) }
    }

    /// A page of SKUs in SKU order, optionally those containing `search`, optionally only those
    /// at or below their threshold.
    func levels(matching search: String?, lowOnly: Bool, page: PageRequest, on connection: PostgresConnection) async throws
        -> (items: [StockLevel], total: Int)
    {
        let pattern = LikePattern.containing(search ?? "")
        var total = 0
        let count = try await connection.query("""
            SELECT count(*) FROM stock_items
            WHERE sku ILIKE \(pattern) AND (NOT \(lowOnly) OR on_hand - reserved <= low_stock_threshold)
            """, logger: logger)
        for try await value in count.decode(Int.self) { total = value }
        let items = try await levels("""
            SELECT \(unescaped: Self.columns) FROM stock_items
            WHERE sku ILIKE \(pattern) AND (NOT \(lowOnly) OR on_hand - reserved <= low_stock_threshold)
            ORDER BY sku LIMIT \(page.limit) OFFSET \(page.offset)
            """, on: connection)
        return (items, total)
    }

    /// What can be sold of each of `skus` (deleted products' SKUs count as nothing); SKUs never
    /// learned are absent from the answer.
    func availability(of skus: [String], on connection: PostgresConnection) async throws -> [String: Int] {
        var available: [String: Int] = [:]
        let rows = try await connection.execute(AvailabilityOf(skus: skus), logger: logger)
        for try await (sku, count) in rows { available[sku] = count }
        return available
    }

    /// `SELECT sku, available FROM stock_items WHERE sku = ANY($1)`, prepared once per connection:
    /// product and cart pages ask it all the time.
    struct AvailabilityOf: PostgresPreparedStatement {
        static let sql = "SELECT sku, CASE WHEN sellable THEN on_hand - reserved ELSE 0 END FROM stock_items WHERE sku = ANY($1)"
        typealias Row = (String, Int)
        let skus: [String]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(skus)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode((String, Int).self) }
    }

    func ledger(sku: String, page: PageRequest, on connection: PostgresConnection) async throws -> (items: [LedgerEntry], total: Int) {
        var total = 0
        for try await value in try await connection.query("SELECT count(*) FROM stock_ledger WHERE sku = \(sku)", logger: logger).decode(Int.self) {
            total = value
        }
        let rows = try await connection.query("""
            SELECT id, kind, delta, reason, actor, on_hand_before, on_hand_after, reserved_before, reserved_after, request_id, recorded_at
            FROM stock_ledger WHERE sku = \(sku) ORDER BY id DESC LIMIT \(page.limit) OFFSET \(page.offset)
            """, logger: logger)
        var entries: [LedgerEntry] = []
        for try await (id, kind, delta, reason, actor, onHandBefore, onHandAfter, reservedBefore, reservedAfter, requestID, at)
            in rows.decode((Int, String, Int, String, String, Int, Int, Int, Int, String?, Date).self)
        {
            guard let kind = LedgerEntry.Kind(rawValue: kind) else { throw StoreError.corrupt("ledger row \(id) has unknown kind \(kind)") }
            entries.append(LedgerEntry(id: id, kind: kind, delta: delta, reason: reason, actor: actor, onHandBefore: onHandBefore,
                                       onHandAfter: onHandAfter, reservedBefore: reservedBefore, reservedAfter: reservedAfter,
                                       requestID: requestID, recordedAt: at))
        }
        return (entries, total)
    }

    // MARK: Writing

    /// Inserts a SKU first learned from the catalog; false when it was already known.
    func insert(_ level: StockLevel, productVersion: Int, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query("""
            INSERT INTO stock_items (sku, product_id, on_hand, reserved, low_stock_threshold, sellable, low_alerted, product_version, version,
                                     updated_at)
            VALUES (\(level.sku), \(level.productId), \(level.onHand), \(level.reserved), \(level.lowStockThreshold), \(level.sellable),
                    \(level.lowAlerted), \(productVersion), \(level.version), \(level.updatedAt))
            ON CONFLICT (sku) DO NOTHING RETURNING sku
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// What the catalog says about a known SKU, applied only when `productVersion` is newer
    /// than the last one applied (events may arrive out of order). Returns whether it applied.
    func applyCatalog(sku: String, productId: String, sellable: Bool, productVersion: Int, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query("""
            UPDATE stock_items SET product_id = \(productId), sellable = \(sellable), product_version = \(productVersion),
                                   version = version + 1, updated_at = now()
            WHERE sku = \(sku) AND product_version < \(productVersion) RETURNING sku
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// Marks every SKU of `productId` but `sku` as no longer sold (the product's SKU changed).
    func retireOtherSKUs(of productId: String, keeping sku: String, productVersion: Int, on connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE stock_items SET sellable = false, product_version = \(productVersion), version = version + 1, updated_at = now()
            WHERE product_id = \(productId) AND sku <> \(sku) AND sellable AND product_version < \(productVersion)
            """, logger: logger)
    }

    /// Writes `level` over `before`, the row as read under the caller's lock, bumps the version,
    /// and records the ledger row (`before` → the level as saved), in one statement.
    func update(_ level: StockLevel, before: StockLevel, kind: LedgerEntry.Kind, reason: String, actor: String, requestID: String?,
                on connection: PostgresConnection) async throws -> StockLevel {
        var updated: [StockLevel] = []
        let statement = UpdateLevel(level: level, before: before, kind: kind, reason: reason, actor: actor, requestID: requestID)
        for try await row in try await connection.execute(statement, logger: logger) { updated.append(row) }
        guard let row = updated.first else { throw StoreError.corrupt("stock row \(level.sku) vanished under its lock") }
        return row
    }

    func record(_ entry: LedgerEntry.Draft, on connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO stock_ledger (sku, kind, delta, reason, actor, on_hand_before, on_hand_after, reserved_before, reserved_after, request_id)
            VALUES (\(entry.sku), \(entry.kind.rawValue), \(entry.after.onHand - entry.before.onHand), \(entry.reason), \(entry.actor),
                    \(entry.before.onHand), \(entry.after.onHand), \(entry.before.reserved), \(entry.after.reserved), \(entry.requestID))
            """, logger: logger)
    }

    // MARK: Helpers

    private func levels(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> [StockLevel] {
        var levels: [StockLevel] = []
        for try await row in try await connection.query(query, logger: logger).decode(Row.self) {
            levels.append(Self.level(row))
        }
        return levels
    }

    static func level(_ row: Row) -> StockLevel {
        let (sku, productId, onHand, reserved, threshold, sellable, lowAlerted, version, updatedAt) = row
        return StockLevel(sku: sku, productId: productId, onHand: onHand, reserved: reserved, lowStockThreshold: threshold, sellable: sellable,
                          lowAlerted: lowAlerted, version: version, updatedAt: updatedAt)
    }
}

/// One row of a SKU's ledger.
struct LedgerEntry: Sendable, Equatable {
    enum Kind: String, Sendable {
        /// The SKU was learned with its starting quantity.
        case initial
        /// An administrator set the quantity on hand or the threshold.
        case set
        /// An administrator added or took away units.
        case adjustment
        /// Units held for an order.
        case reserve
        /// Held units left with a confirmed order.
        case commit
        /// Held units given back (order cancelled, hold expired).
        case release
        /// A committed order was cancelled: its units are back on the shelf.
        case restock
    }

    /// A row to record: the level before and after one change.
    struct Draft: Sendable {
        var sku: String
        var kind: Kind
        var reason: String
        var actor: String
        var before: StockLevel
        var after: StockLevel
        var requestID: String?
    }

    var id: Int
    var kind: Kind
    var delta: Int
    var reason: String
    var actor: String
    var onHandBefore: Int
    var onHandAfter: Int
    var reservedBefore: Int
    var reservedAfter: Int
    var requestID: String?
    var recordedAt: Date
}
