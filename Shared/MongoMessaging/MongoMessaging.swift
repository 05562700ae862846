public import BazaarCore
public import BazaarKafka
public import BazaarMessaging
public import BazaarMongo

/// A MongoDB service's messaging: its outbox and the producer behind the relay.
public struct MongoMessaging: Sendable {
    public let outbox: MongoOutbox
    public let producer: KafkaProducer
    public let settings: KafkaSettings
}

extension ServiceHost {
    /// Publishes this service's events reliably from a MongoDB outbox in `database`: a producer
    /// and a ``MongoOutboxRelay`` run for the life of the service; the outbox's indexes are
    /// created before the server accepts requests.
    public mutating func addMongoMessaging(database: MongoDatabase, relay: OutboxRelaySettings = .init()) throws -> MongoMessaging {
        let (producer, kafka) = try addEventProducer()
        let outbox = MongoOutbox(database: database, source: "bazaar/\(name)", topicPrefix: kafka.topicPrefix)
        addBackgroundWork(MongoOutboxRelay(outbox: outbox, producer: producer, settings: relay, logger: logger, metricsFactory: metrics.factory))
        beforeServing { try await outbox.createIndexes() }
        return MongoMessaging(outbox: outbox, producer: producer, settings: kafka)
    }
}
