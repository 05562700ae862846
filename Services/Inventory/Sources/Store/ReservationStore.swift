import BazaarPostgres
import BazaarCore
import Foundation
import Logging
import PostgresNIO

/// The inventory service's SQL for reservations. Every method runs on the caller's connection,
/// inside the transaction that also moves the stock and appends the events.
struct ReservationStore: Sendable {
    let logger: Logger

    /// The order's reservation with its lines (in SKU order), in one statement; `forUpdate` locks it.
    func reservation(orderId: String, forUpdate: Bool = false, on connection: PostgresConnection) async throws -> Reservation? {
        let rows = forUpdate ? try await connection.execute(LockedReservation(key: orderId), logger: logger)
            : try await connection.execute(ReservationOf(key: orderId), logger: logger)
        for try await row in rows { return try Self.reservation(row) }
        return nil
    }

    /// Records `reservation` and its lines (a rejected one keeps only its shortages: its SKUs
    /// may be unknown), in one statement. False when the order already has one (nothing written).
    func insert(_ reservation: Reservation, on connection: PostgresConnection) async throws -> Bool {
        let shortages = String(decoding: try JSONEncoder().encode(reservation.shortages), as: UTF8.self)
        var inserted = false
        for try await _ in try await connection.execute(Insert(reservation: reservation, shortages: shortages), logger: logger) { inserted = true }
        return inserted
    }

    // Every order's reservation runs these (looked up when the order arrives, locked when it is
    // confirmed or released, inserted once): prepared once per connection, so Postgres does not
    // parse and plan them for every event.

    typealias ReservationRow = (String, String, String, String, Date?, Date, String?, [String], [Int])

    static let reservationQuery = """
        SELECT order_id, reservation_id, status, shortages::text, expires_at, created_at, release_reason,
               ARRAY(SELECT sku FROM reservation_lines l WHERE l.order_id = r.order_id ORDER BY sku),
               ARRAY(SELECT quantity::bigint FROM reservation_lines l WHERE l.order_id = r.order_id ORDER BY sku)
        FROM reservations r WHERE order_id = $1
        """

    struct ReservationOf: TextKeyedStatement {
        static let sql = ReservationStore.reservationQuery
        let key: String

        func decodeRow(_ row: PostgresRow) throws -> ReservationRow { try row.decode(ReservationRow.self) }
    }

    struct LockedReservation: TextKeyedStatement {
        static let sql = ReservationStore.reservationQuery + " FOR UPDATE"
        let key: String

        func decodeRow(_ row: PostgresRow) throws -> ReservationRow { try row.decode(ReservationRow.self) }
    }

    struct Insert: PostgresPreparedStatement {
        static let sql = """
            WITH inserted AS (
                INSERT INTO reservations (order_id, reservation_id, status, shortages, expires_at, release_reason, created_at, updated_at)
                VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $7)
                ON CONFLICT (order_id) DO NOTHING RETURNING order_id
            ), lines AS (
                INSERT INTO reservation_lines (order_id, sku, quantity)
                SELECT inserted.order_id, line.sku, line.quantity
                FROM inserted, unnest($8::text[], $9::bigint[]) AS line(sku, quantity)
            )
            SELECT order_id FROM inserted
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text, .text, .timestamptz, .text, .timestamptz, .textArray, .int8Array]
        typealias Row = String
        let reservation: Reservation
        let shortages: String

        func makeBindings() throws -> PostgresBindings {
            // A rejected reservation keeps only its shortages: its SKUs may be unknown.
            let lines = reservation.status == .rejected ? [] : reservation.lines
            var bindings = PostgresBindings(capacity: 9)
            bindings.append(reservation.orderId)
            bindings.append(reservation.reservationId)
            bindings.append(reservation.status.rawValue)
            bindings.append(shortages)
            bindings.append(reservation.expiresAt)
            bindings.append(reservation.releaseReason)
            bindings.append(reservation.createdAt)
            bindings.append(lines.map(\.sku))
            bindings.append(lines.map(\.quantity))
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(String.self) }
    }

    private static func reservation(_ row: ReservationRow) throws -> Reservation {
        let (orderId, reservationId, status, shortages, expiresAt, createdAt, releaseReason, skus, quantities) = row
        guard let status = Reservation.Status(rawValue: status) else { throw StoreError.corrupt("reservation \(orderId) has status \(status)") }
        return Reservation(orderId: orderId, reservationId: reservationId, status: status,
                           lines: zip(skus, quantities).map { Reservation.Line(sku: $0, quantity: $1) },
                           shortages: try JSONDecoder().decode([Reservation.Shortage].self, from: Data(shortages.utf8)),
                           expiresAt: expiresAt, createdAt: createdAt, releaseReason: releaseReason)
    }

    func update(orderId: String, status: Reservation.Status, releaseReason: String?, on connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE reservations SET status = \(status.rawValue), release_reason = \(releaseReason), updated_at = now() WHERE order_id = \(orderId)
            """, logger: logger)
    }

    /// Up to `limit` held reservations past their expiry, locked; ones another replica is
    /// expiring right now are skipped.
    func expired(limit: Int, on connection: PostgresConnection) async throws -> [String] {
        let rows = try await connection.query("""
            SELECT order_id FROM reservations WHERE status = 'held' AND expires_at <= now()
            ORDER BY expires_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
            """, logger: logger)
        var orders: [String] = []
        for try await orderId in rows.decode(String.self) { orders.append(orderId) }
        return orders
    }

    /// The open (held) reservations of `sku`, for the admin view.
    func held(sku: String, on connection: PostgresConnection) async throws -> [(orderId: String, quantity: Int, expiresAt: Date)] {
        let rows = try await connection.query("""
            SELECT r.order_id, l.quantity, r.expires_at FROM reservation_lines l JOIN reservations r ON r.order_id = l.order_id
            WHERE l.sku = \(sku) AND r.status = 'held' ORDER BY r.expires_at
            """, logger: logger)
        var held: [(orderId: String, quantity: Int, expiresAt: Date)] = []
        for try await (orderId, quantity, expiresAt) in rows.decode((String, Int, Date).self) { held.append((orderId, quantity, expiresAt)) }
        return held
    }
}
