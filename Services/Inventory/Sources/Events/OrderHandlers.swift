import BazaarContracts
import BazaarMessaging
import BazaarPostgresMessaging

/// The order saga's events, each applied in the transaction that records it in the inbox.
struct OrderHandlers: Sendable {
    let book: ReservationBook

    func add(to handlers: inout EventHandlers) {
        handlers.on(OrderPlaced.self) { event, context in
            try await book.place(orderId: event.data.orderId, lines: event.data.lines.map { ($0.sku, $0.quantity) }, context: context.eventContext,
                                 on: context.connection, logger: context.logger)
        }
        handlers.on(OrderConfirmed.self) { event, context in
            try await book.confirm(orderId: event.data.orderId, context: context.eventContext, on: context.connection, logger: context.logger)
        }
        handlers.on(OrderCancelled.self) { event, context in
            try await book.cancel(orderId: event.data.orderId, context: context.eventContext, on: context.connection, logger: context.logger)
        }
    }
}
