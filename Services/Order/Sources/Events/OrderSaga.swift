import BazaarCommerce
import BazaarContracts
import BazaarMessaging
import BazaarPostgres
import Foundation
import Logging
import PostgresNIO

/// Applies what happens to orders, each inside the caller's transaction (the inbox record of the
/// event that caused it, a person's request, or the deadline sweep): lock the order, run the
/// state machine (``Order/applying(_:at:eventId:)``), save the result and append the events it
/// announces. An input that does not apply changes nothing and is logged.
struct OrderSaga: Sendable {
    let store: OrderStore
    let announcer: OrderAnnouncer
    let metrics: OrderMetrics
    let rules: PricingRules
    /// How long an order may stay PENDING or AWAITING_PAYMENT.
    let paymentTimeout: Duration

    /// `cart.checked_out`: creates the order once, whatever the redeliveries (its id is the checkout's).
    func place(_ checkout: CartCheckedOut, eventId: String, context: EventContext, on connection: PostgresConnection, logger: Logger) async throws {
        guard !checkout.orderId.isEmpty, !checkout.userId.isEmpty else {
            throw UndecodableEvent(reason: "cart.checked_out \(eventId) names no order or no user")
        }
        let now = Date()
        let (order, announcements) = Placement.order(from: checkout, rules: rules, paymentTimeout: paymentTimeout, at: now, eventId: eventId)
        guard try await store.insert(order, on: connection) else {
            logger.info("checkout already became an order", metadata: ["order_id": .string(order.id)])
            return
        }
        if order.status == .cancelled {
            logger.warning("checkout refused: it does not add up", metadata: [
                "order_id": .string(order.id), "detail": .string(order.history.last?.detail ?? ""),
            ])
        }
        try await announcer.announce(announcements, for: order, at: now, context: context, on: connection, logger: logger)
        let metrics = metrics
        // Counted once committed: a rolled-back attempt (a retry, a failed batch) counts nothing.
        PostgresStore.afterCommit { metrics.record(announcements, for: order, at: now) }
    }

    /// Applies `input` to the order `orderId` (locked); throws ``UnknownOrder`` when there is none.
    @discardableResult
    func apply(_ input: OrderInput, to orderId: String, eventId: String?, context: EventContext, on connection: PostgresConnection,
               logger: Logger) async throws -> Transition {
        guard let order = try await store.order(id: orderId, forUpdate: true, on: connection) else { throw UnknownOrder(orderId: orderId) }
        return try await apply(input, to: order, eventId: eventId, context: context, on: connection, logger: logger)
    }

    /// Applies `input` to `order`, which the caller read under its row lock.
    func apply(_ input: OrderInput, to order: Order, eventId: String?, context: EventContext, on connection: PostgresConnection,
               logger: Logger) async throws -> Transition {
        let now = Date()
        var transition = order.applying(input, at: now, eventId: eventId)
        switch transition.outcome {
        case .unchanged(let why):
            logger.info("order unchanged", metadata: ["order_id": .string(order.id), "status": .string(order.status.rawValue), "why": .string(why)])
            return transition
        case .changed:
            transition.order = try await store.update(transition.order, on: connection)
            try await announcer.announce(transition.announcements, for: transition.order, at: now, context: context, on: connection, logger: logger)
            let (metrics, announcements, changed) = (metrics, transition.announcements, transition.order)
            PostgresStore.afterCommit { metrics.record(announcements, for: changed, at: now) }
            if order.status != transition.order.status {
                logger.info("order status changed", metadata: [
                    "order_id": .string(order.id), "from": .string(order.status.rawValue), "to": .string(transition.order.status.rawValue),
                ])
            }
            return transition
        }
    }

    /// An event for an order this service does not have (yet): retried by the consumer (its
    /// checkout may still be on its way), dead-lettered if it never comes.
    struct UnknownOrder: Error, CustomStringConvertible {
        let orderId: String
        var description: String { "no order \(orderId) known yet" }
    }
}
