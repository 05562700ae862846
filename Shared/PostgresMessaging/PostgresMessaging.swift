public import BazaarCore
public import BazaarMessaging
public import BazaarPostgres
import BazaarKafka

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
    /// `store`: include ``MessagingMigrations/inbox``) and with dead-lettering through the bus's
    /// producer. Consumers stop before any relay and the producer on shutdown.
    public mutating func consumeEvents(_ bus: EventBus, store: PostgresStore, group: String, handlers: EventHandlers,
                                       retry: RetryPolicy = .init()) throws {
        let topics = handlers.topics.map { $0.name(prefix: bus.settings.topicPrefix) }
        let consumer = try KafkaConsumer(configuration: bus.settings.consumerConfiguration(group: group, clientID: "bazaar-\(name)"),
                                         topics: topics, logger: logger, metricsFactory: metrics.factory)
        addBackgroundWork(EventConsumer(name: group, consumer: consumer, deadLetterProducer: bus.producer, store: store,
                                        handlers: handlers, retry: retry, logger: logger))
    }
}
