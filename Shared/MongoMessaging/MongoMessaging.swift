public import BazaarCore
public import BazaarKafka
public import BazaarMessaging
public import BazaarMongo
import BazaarContracts

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
        let kafka = try KafkaSettings.from(settings)
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(clientID: "bazaar-\(name)"), logger: logger,
                                         metricsFactory: metrics.factory)
        let outbox = MongoOutbox(database: database, source: "bazaar/\(name)", topicPrefix: kafka.topicPrefix)
        addService(producer)
        addService(MongoOutboxRelay(outbox: outbox, producer: producer, settings: relay, logger: logger))
        addHealthCheck(KafkaHealthCheck(producer: producer, topic: TopicCatalog.domainTopics[0].name(prefix: kafka.topicPrefix)))
        beforeServing { try await outbox.createIndexes() }
        try followAccountChanges(kafka)
        return MongoMessaging(outbox: outbox, producer: producer, settings: kafka)
    }
}
