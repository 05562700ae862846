import BazaarContracts
import BazaarMessaging
import BazaarPostgresMessaging

/// The events the order service consumes, each applied in the transaction that records it in the inbox.
struct SagaHandlers: Sendable {
    let saga: OrderSaga

    var handlers: EventHandlers {
        var handlers = EventHandlers()
        handlers.on(CartCheckedOut.self) { event, context in
            try await saga.place(event.data, eventId: event.id, context: context.eventContext, on: context.connection, logger: context.logger)
        }
        handlers.on(StockReserved.self) { event, context in
            try await apply(.stockReserved(reservationId: event.data.reservationId), event.data.orderId, event.id, context)
        }
        handlers.on(StockRejected.self) { event, context in
            try await apply(.stockRejected, event.data.orderId, event.id, context)
        }
        handlers.on(StockReleased.self) { event, context in
            try await apply(.stockReleased(expired: event.data.reason == .expired), event.data.orderId, event.id, context)
        }
        handlers.on(PaymentAuthorized.self) { event, context in
            try await apply(.paymentAuthorized(paymentId: event.data.paymentId, amount: event.data.amount), event.data.orderId, event.id, context)
        }
        handlers.on(PaymentFailed.self) { event, context in
            try await apply(.paymentFailed(reasonCode: event.data.reasonCode, message: event.data.message), event.data.orderId, event.id, context)
        }
        handlers.on(PaymentRefunded.self) { event, context in
            try await apply(.paymentRefunded(refundId: event.data.refundId, amount: event.data.amount), event.data.orderId, event.id, context)
        }
        return handlers
    }

    private func apply(_ input: OrderInput, _ orderId: String, _ eventId: String, _ context: HandlerContext) async throws {
        try await saga.apply(input, to: orderId, eventId: eventId, context: context.eventContext, on: context.connection, logger: context.logger)
    }
}
