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
        let lock = forUpdate ? " FOR UPDATE" : ""
        let rows = try await connection.query("""
            SELECT order_id, reservation_id, status, shortages::text, expires_at, created_at, release_reason,
                   ARRAY(SELECT sku FROM reservation_lines l WHERE l.order_id = r.order_id ORDER BY sku),
                   ARRAY(SELECT quantity::bigint FROM reservation_lines l WHERE l.order_id = r.order_id ORDER BY sku)
            FROM reservations r WHERE order_id = \(orderId)\(unescaped: lock)
            """, logger: logger)
        for try await (orderId, reservationId, status, shortages, expiresAt, createdAt, releaseReason, skus, quantities)
            in rows.decode((String, String, String, String, Date?, Date, String?, [String], [Int]).self)
        {
            guard let status = Reservation.Status(rawValue: status) else { throw StoreError.corrupt("reservation \(orderId) has status \(status)") }
            return Reservation(orderId: orderId, reservationId: reservationId, status: status,
                               lines: zip(skus, quantities).map { Reservation.Line(sku: $0, quantity: $1) },
                               shortages: try JSONDecoder().decode([Reservation.Shortage].self, from: Data(shortages.utf8)),
                               expiresAt: expiresAt, createdAt: createdAt, releaseReason: releaseReason)
        }
        return nil
    }

    /// Records `reservation` and its lines (a rejected one keeps only its shortages: its SKUs
    /// may be unknown), in one statement. False when the order already has one (nothing written).
    func insert(_ reservation: Reservation, on connection: PostgresConnection) async throws -> Bool {
        let shortages = String(decoding: try JSONEncoder().encode(reservation.shortages), as: UTF8.self)
        let lines = reservation.status == .rejected ? [] : reservation.lines
        let rows = try await connection.query("""
            WITH inserted AS (
                INSERT INTO reservations (order_id, reservation_id, status, shortages, expires_at, release_reason, created_at, updated_at)
                VALUES (\(reservation.orderId), \(reservation.reservationId), \(reservation.status.rawValue), \(shortages)::jsonb,
                        \(reservation.expiresAt), \(reservation.releaseReason), \(reservation.createdAt), \(reservation.createdAt))
                ON CONFLICT (order_id) DO NOTHING RETURNING order_id
            ), lines AS (
                INSERT INTO reservation_lines (order_id, sku, quantity)
                SELECT inserted.order_id, line.sku, line.quantity
                FROM inserted, unnest(\(lines.map(\.sku))::text[], \(lines.map(\.quantity))::bigint[]) AS line(sku, quantity)
            )
            SELECT order_id FROM inserted
            """, logger: logger)
        var inserted = false
        for try await _ in rows { inserted = true }
        return inserted
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
