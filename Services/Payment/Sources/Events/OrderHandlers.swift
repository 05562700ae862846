import BazaarContracts
import BazaarMessaging
import BazaarPostgresMessaging
import Logging

/// The order service's events the payment service consumes, each applied in the transaction
/// that records it in the inbox: a payment request opens the order's one payment; a confirmation
/// or cancellation records the order's outcome (what reconciliation compares the money with),
/// and a cancellation with a refund due gives back whatever is still captured.
struct OrderHandlers: Sendable {
    let book: PaymentBook

    var handlers: EventHandlers {
        var handlers = EventHandlers()
        handlers.on(OrderPaymentRequested.self) { event, context in
            try await book.open(event.data, eventId: event.id, context: context.eventContext, on: context.connection, logger: context.logger)
        }
        handlers.on(OrderConfirmed.self) { event, context in
            try await book.store.record(.confirmed, orderId: event.data.orderId, eventId: event.id, on: context.connection)
        }
        handlers.on(OrderCancelled.self) { event, context in
            try await cancelled(event.data, eventId: event.id, context: context)
        }
        return handlers
    }

    private func cancelled(_ order: OrderCancelled, eventId: String, context: HandlerContext) async throws {
        try await book.store.record(.cancelled, orderId: order.orderId, eventId: eventId, on: context.connection)
        guard order.refundDue else { return }
        guard let payment = try await book.store.payment(orderId: order.orderId, forUpdate: true, on: context.connection) else {
            // The order saw a payment.authorized, which only follows a payment recorded here.
            context.logger.error("a refund is due for an order without a payment here", metadata: ["order_id": .string(order.orderId)])
            return
        }
        let remaining = try await book.refundable(payment, on: context.connection)
        guard remaining > 0 else {
            context.logger.info("nothing left to refund for the cancelled order", metadata: ["order_id": .string(order.orderId)])
            return
        }
        _ = try await book.openRefund(of: payment, amount: Money(minorUnits: remaining, currency: payment.amount.currency), cause: .orderCancelled,
                                      reason: "order cancelled (\(order.reason.rawValue))", requestedBy: "order-service",
                                      on: context.connection, logger: context.logger)
    }
}
