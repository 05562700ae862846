public import BazaarCore
public import BazaarKafka
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

/// A service's link to Kafka: its settings and the producer every publisher and consumer of
/// the service shares (the outbox relay publishes with it, a consumer dead-letters with it).
public struct EventBus: Sendable {
    public let producer: KafkaProducer
    public let settings: KafkaSettings
    /// The CloudEvents `source` of the service's events, e.g. `bazaar/order`.
    public let source: String
}

extension ServiceHost {
    /// Connects the service to Kafka: reads ``KafkaSettings``, runs one producer for the life of
    /// the service and reports Kafka at `/health/ready`. Call it once; then, as the service
    /// needs: publish events (`publishEvents`, with the outbox of the service's store), consume
    /// events (`consumeEvents`), and ``followAccountChanges(_:)``. Added before those, the
    /// producer stops after them on shutdown.
    public mutating func addEventBus() throws -> EventBus {
        let kafka = try KafkaSettings.from(settings)
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(clientID: "bazaar-\(name)"), logger: logger,
                                         metricsFactory: metrics.factory)
        addService(producer)
        addHealthCheck(KafkaHealthCheck(producer: producer, topic: TopicCatalog.domainTopics[0].name(prefix: kafka.topicPrefix)))
        return EventBus(producer: producer, settings: kafka, source: "bazaar/\(name)")
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

extension ServiceHost {
    /// Consumes the topics `applier` needs in consumer group `group`: the applier applies each
    /// event once in the service's store, failures are retried and then dead-lettered through the
    /// bus's producer (see ``EventConsumer``). Consumers stop before any relay and the producer on
    /// shutdown. A Postgres service passes its handlers and store instead (`PostgresInbox`).
    public mutating func consumeEvents(_ bus: EventBus, group: String, applier: any EventApplier, retry: RetryPolicy = .init(),
                                       batching: EventBatching = .none) throws {
        let topics = applier.topics.map { $0.name(prefix: bus.settings.topicPrefix) }
        let consumer = try KafkaConsumer(configuration: bus.settings.consumerConfiguration(group: group, clientID: "bazaar-\(name)"),
                                         topics: topics, logger: logger, metricsFactory: metrics.factory)
        addBackgroundWork(EventConsumer(name: group, consumer: consumer, deadLetterProducer: bus.producer, applier: applier,
                                        retry: retry, maximumBatch: batching.maximumBatch, logger: logger))
    }
}

/// Whether a consumer applies several waiting events of a partition at once (see ``EventConsumer``).
public enum EventBatching: Sendable {
    /// One event per transaction.
    case none
    /// Up to 32 consecutive events of a partition per transaction, when they wait.
    case perPartition

    var maximumBatch: Int {
        switch self {
        case .none: 1
        case .perPartition: 32
        }
    }
}
