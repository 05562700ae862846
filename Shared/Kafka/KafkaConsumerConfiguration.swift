/// Settings of a ``KafkaConsumer``.
///
/// A consumer always runs with `enable.auto.offset.store=false` and `enable.auto.commit=true`
/// (set last, so ``additionalProperties`` cannot change them): nothing is marked consumed until
/// the application calls ``KafkaConsumer/storeOffset(for:)`` after handling a message, and
/// librdkafka commits the stored offsets every ``autoCommitInterval``, on rebalance and on
/// shutdown. A crash therefore redelivers what was not handled (at-least-once).
///
/// Each property is handed to librdkafka's `rd_kafka_conf_set` when the consumer is created; an
/// unknown name or an invalid value makes the initializer throw a ``KafkaError`` of kind
/// ``KafkaError/Kind/configuration`` with librdkafka's message.
public struct KafkaConsumerConfiguration: Sendable {
    /// Where a group without a committed offset starts reading a partition (`auto.offset.reset`).
    public enum AutoOffsetReset: String, Sendable, Hashable, CaseIterable {
        /// From the oldest message still kept.
        case earliest
        /// Only messages produced after the consumer joined.
        case latest
    }

    /// `host:port` of the brokers to bootstrap from (`bootstrap.servers`); at least one.
    public var bootstrapServers: [String]
    /// The consumer group; consumers of one group share the partitions (`group.id`).
    public var groupID: String
    /// The name brokers log for this client (`client.id`).
    public var clientID: String
    /// How long the group coordinator waits for a heartbeat before it considers the consumer gone
    /// and rebalances (`session.timeout.ms`). On the dev broker (librdkafka's mock cluster) use at
    /// least 4 s.
    public var sessionTimeout: Duration
    /// How long a broker may hold a fetch request waiting for data (`fetch.wait.max.ms`); about
    /// 10 ms in tests keeps them fast, the default suits production.
    public var fetchWaitMax: Duration
    /// Where to start when the group has no committed offset for a partition.
    public var autoOffsetReset: AutoOffsetReset
    /// How often stored offsets are committed (`auto.commit.interval.ms`).
    public var autoCommitInterval: Duration
    /// How often librdkafka emits statistics, which feed the `kafka_consumer_lag` gauge
    /// (`statistics.interval.ms`); `nil` turns them off.
    public var statisticsInterval: Duration?
    /// How many polled messages wait for the application at most; when the buffer is full the
    /// polling thread waits (backpressure) instead of reading more.
    public var maxBufferedMessages: Int
    /// Any other librdkafka property (see librdkafka's CONFIGURATION.md), e.g.
    /// `partition.assignment.strategy=cooperative-sticky`; applied after the typed ones above, so
    /// it overrides them, except `enable.auto.offset.store` and `enable.auto.commit`.
    public var additionalProperties: [String: String]

    /// Creates a configuration; brokers and group have no sensible default.
    public init(
        bootstrapServers: [String],
        groupID: String,
        clientID: String = "bazaar",
        sessionTimeout: Duration = .seconds(10),
        fetchWaitMax: Duration = .milliseconds(500),
        autoOffsetReset: AutoOffsetReset = .earliest,
        autoCommitInterval: Duration = .seconds(5),
        statisticsInterval: Duration? = nil,
        maxBufferedMessages: Int = 100,
        additionalProperties: [String: String] = [:]
    ) {
        self.bootstrapServers = bootstrapServers
        self.groupID = groupID
        self.clientID = clientID
        self.sessionTimeout = sessionTimeout
        self.fetchWaitMax = fetchWaitMax
        self.autoOffsetReset = autoOffsetReset
        self.autoCommitInterval = autoCommitInterval
        self.statisticsInterval = statisticsInterval
        self.maxBufferedMessages = maxBufferedMessages
        self.additionalProperties = additionalProperties
    }

    /// The librdkafka properties this configuration sets, in the order they are applied
    /// (public so a benchmark can configure a raw librdkafka client identically).
    public var librdkafkaProperties: [(name: String, value: String)] { properties }

    var properties: [(name: String, value: String)] {
        var properties: [(name: String, value: String)] = [
            ("bootstrap.servers", bootstrapServers.joined(separator: ",")),
            ("group.id", groupID),
            ("client.id", clientID),
            ("session.timeout.ms", String(sessionTimeout.wholeMilliseconds)),
            ("fetch.wait.max.ms", String(fetchWaitMax.wholeMilliseconds)),
            ("auto.offset.reset", autoOffsetReset.rawValue),
            ("auto.commit.interval.ms", String(autoCommitInterval.wholeMilliseconds)),
            ("statistics.interval.ms", String(statisticsInterval?.wholeMilliseconds ?? 0)),
        ]
        properties += additionalProperties.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
        properties += [("enable.auto.offset.store", "false"), ("enable.auto.commit", "true")]
        return properties
    }
}
