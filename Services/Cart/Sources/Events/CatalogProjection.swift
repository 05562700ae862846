import BazaarContracts
import BazaarKafka
import BazaarMessaging
import Logging

/// Keeps the ``ProductProjection`` from the catalog's product events (consumer group `cart`).
/// No inbox is needed: a snapshot is applied only when newer than the one held, so a redelivered
/// or late event changes nothing. A malformed event is dead-lettered by the shared consumer.
struct CatalogProjection: EventApplier {
    let products: ProductProjection
    let handlers: EventHandlerTable<Logger>

    init(products: ProductProjection) {
        self.products = products
        var handlers = EventHandlerTable<Logger>()
        handlers.on(ProductCreated.self) { event, _ in try await products.apply(event.data.product) }
        handlers.on(ProductUpdated.self) { event, _ in try await products.apply(event.data.product) }
        handlers.on(ProductDeleted.self) { event, _ in
            try await products.applyDeletion(productId: event.data.productId, sku: event.data.sku, version: event.data.version)
        }
        self.handlers = handlers
    }

    var topics: [TopicDefinition] { handlers.topics }

    func disposition(of type: String) -> EventDisposition { handlers.disposition(of: type) }

    /// Applies the event; a redelivery rewrites nothing and still counts as handled (the version
    /// check makes the write itself idempotent).
    func apply(_ message: KafkaIncomingMessage, attributes: EventAttributes, eventContext: EventContext, logger: Logger) async throws -> Bool {
        guard let handler = handlers.handler(for: attributes.type) else { return false }
        try await handler(message.value, logger)
        return true
    }
}
