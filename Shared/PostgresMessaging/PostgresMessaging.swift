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
    ///
    /// `batching`: `.perPartition` applies up to 32 waiting events of a partition in one
    /// transaction (see ``EventConsumer``). Choose it only when a handler's writes and row locks
    /// are confined to its own event's aggregate (the partition key): events of other partitions,
    /// handled at the same time, then never wait on the batch's locks or deadlock with it. A
    /// service whose handlers lock rows shared between aggregates (stock per SKU, shared by
    /// orders) keeps `.none`: one event per transaction.
    public mutating func consumeEvents(_ bus: EventBus, store: PostgresStore, group: String, handlers: EventHandlers,
                                       retry: RetryPolicy = .init(), batching: EventBatching = .none) throws {
        try consumeEvents(bus, group: group, applier: PostgresInbox(consumer: group, store: store, handlers: handlers), retry: retry,
                          batching: batching)
    }
}
