public import BazaarCore
public import BazaarMessaging
public import BazaarPostgres

extension ServiceHost {
    /// Publishes this service's events reliably from the outbox in `store`: an ``OutboxRelay``
    /// runs for the life of the service (a background job, started once the migrations are
    /// applied). Include ``MessagingMigrations/outbox`` in the store's migrations; append events
    /// with the returned ``Outbox`` inside the transaction that makes the change.
    public mutating func publishEvents(_ bus: EventBus, from store: PostgresStore, relay: OutboxRelaySettings = .init()) -> Outbox {
        addBackgroundWork(OutboxRelay(store: store, producer: bus.producer, settings: relay, logger: logger, metricsFactory: metrics.factory))
        return Outbox(source: bus.source, topicPrefix: bus.settings.topicPrefix)
    }

    /// Consumes the topics `handlers` need in consumer group `group`, idempotently (the inbox in
    /// `store`: include ``MessagingMigrations/inbox``; see ``PostgresInbox``) and with
    /// dead-lettering through the bus's producer.
    public mutating func consumeEvents(_ bus: EventBus, store: PostgresStore, group: String, handlers: EventHandlers,
                                       retry: RetryPolicy = .init()) throws {
        try consumeEvents(bus, group: group, applier: PostgresInbox(consumer: group, store: store, handlers: handlers), retry: retry)
    }
}
