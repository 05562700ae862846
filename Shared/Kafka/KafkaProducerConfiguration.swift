/// Settings of a ``KafkaProducer``.
///
/// Every producer is idempotent with `acks=all` (set last, so ``additionalProperties`` cannot
/// turn them off): a retried send never duplicates or reorders a message within a partition,
/// and a message counts as delivered only once every in-sync replica has it.
///
/// Each property is handed to librdkafka's `rd_kafka_conf_set` when the producer is created; an
/// unknown name or an invalid value makes ``KafkaProducer/init(configuration:logger:metricsFactory:)``
/// throw a ``KafkaError`` of kind ``KafkaError/Kind/configuration`` with librdkafka's message.
public struct KafkaProducerConfiguration: Sendable {
    /// How message batches are compressed on the wire (`compression.codec`).
    public enum Compression: String, Sendable, Hashable, CaseIterable {
        case none, gzip, snappy, lz4, zstd
    }

    /// `host:port` of the brokers to bootstrap from (`bootstrap.servers`); at least one.
    public var bootstrapServers: [String]
    /// The name brokers log for this client (`client.id`).
    public var clientID: String
    /// How long to wait for more messages before sending a batch (`linger.ms`).
    public var linger: Duration
    /// Batch compression (`compression.codec`).
    public var compression: Compression
    /// How long librdkafka keeps trying to deliver a message, retries included, before
    /// ``KafkaProducer/send(_:)`` throws a retriable `_MSG_TIMED_OUT` (`message.timeout.ms`).
    public var messageTimeout: Duration
    /// How often librdkafka emits statistics (`statistics.interval.ms`); `nil` turns them off.
    public var statisticsInterval: Duration?
    /// How long ``KafkaProducer/send(_:)`` keeps retrying, with back-off, while librdkafka's
    /// local queue is full before it throws a retriable `_QUEUE_FULL`.
    public var enqueueTimeout: Duration
    /// How long shutdown waits for outstanding messages before giving up on them; undelivered
    /// messages then fail with a retriable error (`_PURGE_QUEUE`/`_PURGE_INFLIGHT`).
    public var flushTimeout: Duration
    /// Any other librdkafka property (see librdkafka's CONFIGURATION.md), applied after the
    /// typed ones above, so it overrides them; `enable.idempotence` and `acks` stay fixed.
    public var additionalProperties: [String: String]

    /// Creates a configuration; only the brokers have no sensible default.
    public init(
        bootstrapServers: [String],
        clientID: String = "bazaar",
        linger: Duration = .milliseconds(5),
        compression: Compression = .none,
        messageTimeout: Duration = .seconds(30),
        statisticsInterval: Duration? = nil,
        enqueueTimeout: Duration = .seconds(5),
        flushTimeout: Duration = .seconds(10),
        additionalProperties: [String: String] = [:]
    ) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.linger = linger
        self.compression = compression
        self.messageTimeout = messageTimeout
        self.statisticsInterval = statisticsInterval
        self.enqueueTimeout = enqueueTimeout
        self.flushTimeout = flushTimeout
        self.additionalProperties = additionalProperties
    }

    /// The librdkafka properties this configuration sets, in the order they are applied
    /// (public so a benchmark can configure a raw librdkafka client identically).
    public var librdkafkaProperties: [(name: String, value: String)] { properties }

    var properties: [(name: String, value: String)] {
        var properties: [(name: String, value: String)] = [
            ("bootstrap.servers", bootstrapServers.joined(separator: ",")),
            ("client.id", clientID),
            ("linger.ms", String(linger.wholeMilliseconds)),
            ("compression.codec", compression.rawValue),
            ("message.timeout.ms", String(messageTimeout.wholeMilliseconds)),
            ("statistics.interval.ms", String(statisticsInterval?.wholeMilliseconds ?? 0)),
        ]
        properties += additionalProperties.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
        properties += [("enable.idempotence", "true"), ("acks", "all")]
        return properties
    }
}
