import Foundation

/// Stock held for one order, from `order.placed` until the order is confirmed (committed),
/// cancelled (released, or restocked once committed) or the hold expires (released).
struct Reservation: Sendable, Equatable {
    enum Status: String, Sendable {
        /// Units held (counted in `reserved`) until `expiresAt`.
        case held
        /// The order was confirmed: the units left the shelf (`onHand` and `reserved` both dropped).
        case committed
        /// Given back: the order was cancelled or the hold expired.
        case released
        /// Nothing could be held: some line was short.
        case rejected
    }

    var orderId: String
    var reservationId: String
    var status: Status
    /// One line per SKU, in SKU order.
    var lines: [Line]
    /// Why it was rejected: each short line with what was requested and available.
    var shortages: [Shortage]
    var expiresAt: Date?
    var createdAt: Date
    /// `order_cancelled` or `expired`, once released.
    var releaseReason: String?

    struct Line: Sendable, Equatable, Codable {
        var sku: String
        var quantity: Int
    }

    struct Shortage: Sendable, Equatable, Codable {
        var sku: String
        var requested: Int
        var available: Int
    }
}

/// How an order's lines become a reservation: all or nothing.
enum ReservationRules {
    /// Largest quantity of one SKU in one order.
    static let maximumQuantity = 10_000

    /// The order's lines merged per SKU (an order may name a SKU twice) in SKU order — the order
    /// rows are locked in, so two orders sharing SKUs never wait on each other in a cycle.
    /// Nil when a line is unusable (quantity not positive or absurd, empty SKU): such an event
    /// can never be applied.
    static func merged(_ lines: [(sku: String, quantity: Int)]) -> [Reservation.Line]? {
        var totals: [String: Int] = [:]
        for line in lines {
            guard !line.sku.isEmpty, (1...maximumQuantity).contains(line.quantity) else { return nil }
            totals[line.sku, default: 0] += line.quantity
            guard totals[line.sku]! <= maximumQuantity else { return nil }
        }
        guard !totals.isEmpty else { return nil }
        return totals.keys.sorted().map { Reservation.Line(sku: $0, quantity: totals[$0]!) }
    }

    /// What is short when `lines` are held against `levels` (by SKU; a missing or unsellable
    /// SKU has nothing available). Empty: everything can be held.
    static func shortages(_ lines: [Reservation.Line], levels: [String: StockLevel]) -> [Reservation.Shortage] {
        lines.compactMap { line in
            let available = levels[line.sku].map { $0.sellable ? max(0, $0.available) : 0 } ?? 0
            return available >= line.quantity ? nil : Reservation.Shortage(sku: line.sku, requested: line.quantity, available: available)
        }
    }
}

extension StockLevel {
    /// This level with `quantity` more units held for an order.
    func holding(_ quantity: Int) -> StockLevel {
        var level = self
        level.reserved += quantity
        return level
    }

    /// This level with `quantity` held units given back.
    func releasing(_ quantity: Int) -> StockLevel {
        var level = self
        level.reserved -= quantity
        return level
    }

    /// This level with `quantity` held units gone out of the door (order confirmed).
    func committing(_ quantity: Int) -> StockLevel {
        var level = self
        level.reserved -= quantity
        level.onHand -= quantity
        return level
    }

    /// This level with `quantity` units back on the shelf (a committed order was cancelled).
    func restocking(_ quantity: Int) -> StockLevel {
        var level = self
        level.onHand += quantity
        return level
    }
}
