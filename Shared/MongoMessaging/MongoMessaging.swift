public import BazaarCore
public import BazaarMessaging
public import BazaarMongo

extension ServiceHost {
    /// Publishes this service's events reliably from a MongoDB outbox in `database`: a
    /// ``MongoOutboxRelay`` runs for the life of the service (a background job); the outbox's
    /// indexes are created before the server accepts requests. Append events with the returned
    /// ``MongoOutbox`` in the transaction that makes the change.
    public mutating func publishEvents(_ bus: EventBus, from database: MongoDatabase, relay: OutboxRelaySettings = .init()) -> MongoOutbox {
        let outbox = MongoOutbox(database: database, source: bus.source, topicPrefix: bus.settings.topicPrefix)
        addBackgroundWork(MongoOutboxRelay(outbox: outbox, producer: bus.producer, settings: relay, logger: logger, metricsFactory: metrics.factory))
        beforeServing { try await outbox.createIndexes() }
        return outbox
    }
}
