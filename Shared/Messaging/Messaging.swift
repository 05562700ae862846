public import BazaarCore
public import BazaarKafka
public import BazaarPostgres
import BazaarContracts
import Logging

/// Kafka settings every service reads the same way.
public struct KafkaSettings: Sendable {
    /// `KAFKA_BROKERS`: comma-separated `host:port` list (required).
    public var brokers: [String]
    /// `KAFKA_TOPIC_PREFIX`: prepended to every topic on a shared cluster (default none).
    public var topicPrefix: String
    /// `KAFKA_LINGER_MS` (default 5).
    public var linger: Duration
    /// `KAFKA_COMPRESSION`: none, gzip, snappy, lz4 (default), zstd.
    public var compression: KafkaProducerConfiguration.Compression
    /// `KAFKA_MESSAGE_TIMEOUT_SECONDS` (default 10): how long a send may wait for the broker.
    public var messageTimeout: Duration
    /// `KAFKA_SESSION_TIMEOUT_SECONDS` (default 10; at least 4 on the dev broker).
    public var sessionTimeout: Duration
    /// `KAFKA_FETCH_WAIT_MAX_MS` (default 100).
    public var fetchWaitMax: Duration
    /// `KAFKA_STATISTICS_INTERVAL_SECONDS` (default 15; 0 turns statistics off).
    public var statisticsInterval: Duration?

    public static func from(_ settings: Settings) throws -> KafkaSettings {
        let brokers = settings.list("KAFKA_BROKERS")
        guard !brokers.isEmpty else { throw ConfigurationError(variable: "KAFKA_BROKERS", problem: "is required but not set") }
        let statistics = try settings.seconds("KAFKA_STATISTICS_INTERVAL_SECONDS", default: .seconds(15))
        return KafkaSettings(
            brokers: brokers,
            topicPrefix: settings.string("KAFKA_TOPIC_PREFIX", default: ""),
            linger: .milliseconds(try settings.int("KAFKA_LINGER_MS", default: 5, range: 0...5_000)),
            compression: try settings.choice("KAFKA_COMPRESSION", default: .lz4),
            messageTimeout: try settings.seconds("KAFKA_MESSAGE_TIMEOUT_SECONDS", default: .seconds(10)),
            sessionTimeout: try settings.seconds("KAFKA_SESSION_TIMEOUT_SECONDS", default: .seconds(10)),
            fetchWaitMax: .milliseconds(try settings.int("KAFKA_FETCH_WAIT_MAX_MS", default: 100, range: 1...10_000)),
            statisticsInterval: statistics == .zero ? nil : statistics
        )
    }

    public func producerConfiguration(clientID: String) -> KafkaProducerConfiguration {
        KafkaProducerConfiguration(bootstrapServers: brokers, clientID: clientID, linger: linger, compression: compression,
                                   messageTimeout: messageTimeout, statisticsInterval: statisticsInterval)
    }

    public func consumerConfiguration(group: String, clientID: String) -> KafkaConsumerConfiguration {
        KafkaConsumerConfiguration(bootstrapServers: brokers, groupID: topicPrefix + group, clientID: clientID,
                                   sessionTimeout: sessionTimeout, fetchWaitMax: fetchWaitMax, statisticsInterval: statisticsInterval)
    }
}

/// A service's messaging: the outbox to append events to, and the producer behind the relay.
public struct Messaging: Sendable {
    public let outbox: Outbox
    public let producer: KafkaProducer
    public let store: PostgresStore
    public let settings: KafkaSettings
}

extension ServiceHost {
    /// Publishes this service's events reliably: a producer and an outbox relay run for the life
    /// of the service. Include ``MessagingMigrations/all`` in the store's migrations. Also follows
    /// account changes (``followAccountChanges(_:)``).
    public mutating func addMessaging(store: PostgresStore, relay: OutboxRelaySettings = .init()) throws -> Messaging {
        let (producer, kafka) = try addEventProducer()
        addBackgroundWork(OutboxRelay(store: store, producer: producer, settings: relay, logger: logger, metricsFactory: metrics.factory))
        return Messaging(outbox: Outbox(source: "bazaar/\(name)", topicPrefix: kafka.topicPrefix), producer: producer, store: store, settings: kafka)
    }

    /// What every service that publishes events needs, whatever its outbox: the Kafka settings, a
    /// producer running for the life of the service (added before the relay, so it stops after
    /// it), Kafka at `/health/ready`, and ``followAccountChanges(_:)``.
    public mutating func addEventProducer() throws -> (producer: KafkaProducer, kafka: KafkaSettings) {
        let kafka = try KafkaSettings.from(settings)
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(clientID: "bazaar-\(name)"), logger: logger,
                                         metricsFactory: metrics.factory)
        addService(producer)
        addHealthCheck(KafkaHealthCheck(producer: producer, topic: TopicCatalog.domainTopics[0].name(prefix: kafka.topicPrefix)))
        try followAccountChanges(kafka)
        return (producer, kafka)
    }

    /// Consumes the topics `handlers` need in consumer group `group`, idempotently (inbox) and
    /// with dead-lettering. Consumers stop before the relay and the producer on shutdown.
    public mutating func addConsumer(_ messaging: Messaging, group: String, handlers: EventHandlers, retry: RetryPolicy = .init()) throws {
        let topics = handlers.topics.map { $0.name(prefix: messaging.settings.topicPrefix) }
        let consumer = try KafkaConsumer(configuration: messaging.settings.consumerConfiguration(group: group, clientID: "bazaar-\(name)"),
                                         topics: topics, logger: logger, metricsFactory: metrics.factory)
        addBackgroundWork(EventConsumer(name: group, consumer: consumer, deadLetterProducer: messaging.producer, store: messaging.store,
                                 handlers: handlers, retry: retry, logger: logger))
    }
}

/// Reports whether the broker answers a metadata request. Not required for readiness: thanks to
/// the outbox, the service keeps accepting changes while Kafka is down.
public struct KafkaHealthCheck: HealthCheck {
    let producer: KafkaProducer
    let topic: String
    public var name: String { "kafka" }
    public var isRequired: Bool { false }

    /// Checks by asking for `topic`'s partition count.
    public init(producer: KafkaProducer, topic: String) {
        self.producer = producer
        self.topic = topic
    }

    public func check() async throws {
        _ = try await producer.partitionCount(of: topic, timeout: .seconds(2))
    }
}
