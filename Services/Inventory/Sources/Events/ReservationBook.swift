import BazaarContracts
import BazaarMessaging
import BazaarPostgres
import BazaarPostgresMessaging
import Foundation
import Logging
import PostgresNIO

/// The saga's stock moves, each inside the caller's transaction (the inbox record of the event
/// that caused it, or the expiry sweep): lock the order's reservation and its SKUs' rows in SKU
/// order, move the units, write a ledger row per SKU, and append the events that announce it.
struct ReservationBook: Sendable {
    let stock: StockStore
    let reservations: ReservationStore
    let events: InventoryEvents
    /// How long units stay held for an order that is neither confirmed nor cancelled.
    let holdFor: Duration

    /// `order.placed`: hold every line, all or nothing. A redelivered or duplicate event finds the
    /// first answer and announces it again; it never holds twice.
    func place(orderId: String, lines: [(sku: String, quantity: Int)], context: EventContext, on connection: PostgresConnection,
               logger: Logger) async throws {
        guard let merged = ReservationRules.merged(lines) else {
            throw UndecodableEvent(reason: "order \(orderId) has no lines, an empty SKU or a quantity outside 1…\(ReservationRules.maximumQuantity)")
        }
        let now = Date()
        let levels = try await stock.lockedLevels(skus: merged.map(\.sku), on: connection)
        let shortages = ReservationRules.shortages(merged, levels: levels)
        let reservation = Reservation(orderId: orderId, reservationId: "r-" + UUID().uuidString.lowercased(),
                                      status: shortages.isEmpty ? .held : .rejected, lines: merged, shortages: shortages,
                                      expiresAt: shortages.isEmpty ? now.addingTimeInterval(holdFor.seconds) : nil, createdAt: now, releaseReason: nil)
        // One reservation row per order (primary key): a redelivered or duplicate order.placed — or
        // one whose cancellation came first — finds the earlier answer and never holds twice.
        guard try await reservations.insert(reservation, on: connection) else {
            if let existing = try await reservations.reservation(orderId: orderId, on: connection) {
                try await announceAgain(existing, context: context, on: connection, logger: logger)
            }
            return
        }
        guard shortages.isEmpty else {
            try await events.rejected(orderId: orderId, shortages: shortages, at: now, context: context, on: connection, logger: logger)
            return
        }
        try await move(reservation.lines, levels: levels, kind: .reserve, reason: "held for order \(orderId)", actor: "order \(orderId)", context: context,
                       on: connection, logger: logger) { level, quantity in level.holding(quantity) }
        try await events.reserved(reservation, context: context, on: connection, logger: logger)
    }

    /// `order.confirmed`: the held units leave with the order. A hold that already expired is
    /// taken again from what is available; if that is short, `stock.rejected` tells the order
    /// service, which cancels and refunds (the units were promised to others meanwhile).
    func confirm(orderId: String, context: EventContext, on connection: PostgresConnection, logger: Logger) async throws {
        guard let reservation = try await reservations.reservation(orderId: orderId, forUpdate: true, on: connection) else {
            throw UnknownOrder(orderId: orderId)  // retried: its order.placed may still be on its way; dead-lettered if it never comes
        }
        switch reservation.status {
        case .held:
            let levels = try await stock.lockedLevels(skus: reservation.lines.map(\.sku), on: connection)
            try await move(reservation.lines, levels: levels, kind: .commit, reason: "order \(orderId) confirmed", actor: "order \(orderId)", context: context,
                           on: connection, logger: logger) { level, quantity in level.committing(quantity) }
            try await reservations.update(orderId: orderId, status: .committed, releaseReason: nil, on: connection)
        case .released where reservation.releaseReason == StockReleased.Reason.expired.rawValue:
            let levels = try await stock.lockedLevels(skus: reservation.lines.map(\.sku), on: connection)
            let shortages = ReservationRules.shortages(reservation.lines, levels: levels)
            guard shortages.isEmpty else {
                logger.warning("order confirmed after its hold expired, and the stock is gone", metadata: ["order_id": .string(orderId)])
                try await events.rejected(orderId: orderId, shortages: shortages, at: Date(), context: context, on: connection, logger: logger)
                return
            }
            try await move(reservation.lines, levels: levels, kind: .commit, reason: "order \(orderId) confirmed after its hold expired", actor: "order \(orderId)",
                           context: context, on: connection, logger: logger) { level, quantity in level.restocking(-quantity) }
            try await reservations.update(orderId: orderId, status: .committed, releaseReason: nil, on: connection)
        case .committed:
            return  // redelivered
        case .released, .rejected:
            logger.warning("order confirmed although its stock was not held; ignored",
                           metadata: ["order_id": .string(orderId), "reservation_status": .string(reservation.status.rawValue)])
        }
    }

    /// `order.cancelled`: held units go back to sale; units of a confirmed order go back on the shelf.
    func cancel(orderId: String, context: EventContext, on connection: PostgresConnection, logger: Logger) async throws {
        guard let reservation = try await reservations.reservation(orderId: orderId, forUpdate: true, on: connection) else {
            // Cancelled before its order.placed was seen: remember, so a late order.placed holds nothing.
            let now = Date()
            _ = try await reservations.insert(Reservation(orderId: orderId, reservationId: "r-" + UUID().uuidString.lowercased(), status: .released,
                                                          lines: [], shortages: [], expiresAt: nil, createdAt: now,
                                                          releaseReason: StockReleased.Reason.orderCancelled.rawValue),
                                              on: connection)
            return
        }
        switch reservation.status {
        case .held:
            try await release(reservation, reason: .orderCancelled, context: context, on: connection, logger: logger)
        case .committed:
            let levels = try await stock.lockedLevels(skus: reservation.lines.map(\.sku), on: connection)
            try await move(reservation.lines, levels: levels, kind: .restock, reason: "order \(orderId) cancelled after confirmation", actor: "order \(orderId)",
                           context: context, on: connection, logger: logger) { level, quantity in level.restocking(quantity) }
            try await reservations.update(orderId: orderId, status: .released, releaseReason: StockReleased.Reason.orderCancelled.rawValue,
                                          on: connection)
            try await events.released(reservation, reason: .orderCancelled, at: Date(), context: context, on: connection, logger: logger)
        case .released, .rejected:
            return  // nothing held
        }
    }

    /// The hold of `orderId` ran out (called by the expiry sweep with the reservation locked).
    func expire(orderId: String, context: EventContext, on connection: PostgresConnection, logger: Logger) async throws {
        guard let reservation = try await reservations.reservation(orderId: orderId, forUpdate: true, on: connection),
              reservation.status == .held else { return }
        try await release(reservation, reason: .expired, context: context, on: connection, logger: logger)
    }

    private func release(_ reservation: Reservation, reason: StockReleased.Reason, context: EventContext, on connection: PostgresConnection,
                         logger: Logger) async throws {
        let levels = try await stock.lockedLevels(skus: reservation.lines.map(\.sku), on: connection)
        try await move(reservation.lines, levels: levels, kind: .release, reason: "order \(reservation.orderId): \(reason.rawValue)", actor: "order \(reservation.orderId)",
                       context: context, on: connection, logger: logger) { level, quantity in level.releasing(quantity) }
        try await reservations.update(orderId: reservation.orderId, status: .released, releaseReason: reason.rawValue, on: connection)
        try await events.released(reservation, reason: reason, at: Date(), context: context, on: connection, logger: logger)
    }

    /// Applies `change` to each line's locked level and writes it (``StockChanges``).
    private func move(_ lines: [Reservation.Line], levels: [String: StockLevel], kind: LedgerEntry.Kind, reason: String, actor: String,
                      context: EventContext,
                      on connection: PostgresConnection, logger: Logger, _ change: (StockLevel, Int) -> StockLevel) async throws {
        let changes = StockChanges(stock: stock, events: events)
        for line in lines {
            guard let current = levels[line.sku] else { throw StoreError.corrupt("reserved SKU \(line.sku) has no stock row") }
            _ = try await changes.write(change(current, line.quantity), replacing: current, kind: kind, reason: reason, actor: actor,
                                        context: context, on: connection, logger: logger)
        }
    }

    /// Announces `reservation`'s outcome again for a repeated `order.placed`.
    private func announceAgain(_ reservation: Reservation, context: EventContext, on connection: PostgresConnection, logger: Logger) async throws {
        switch reservation.status {
        case .held, .committed:
            try await events.reserved(reservation, context: context, on: connection, logger: logger)
        case .rejected:
            try await events.rejected(orderId: reservation.orderId, shortages: reservation.shortages, at: reservation.createdAt, context: context,
                                      on: connection, logger: logger)
        case .released:
            logger.info("order.placed again for an order whose stock was already released", metadata: ["order_id": .string(reservation.orderId)])
        }
    }

    /// An order event for an order this service has no reservation for.
    struct UnknownOrder: Error, CustomStringConvertible {
        let orderId: String
        var description: String { "no reservation for order \(orderId) yet" }
    }
}
