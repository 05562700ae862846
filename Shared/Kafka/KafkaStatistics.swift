import Foundation
import Logging
import Metrics
import Synchronization

/// The parts of librdkafka's statistics JSON (STATISTICS.md) Bazaar records.
struct KafkaStatistics: Decodable, Sendable {
    /// One partition's consumer lag: messages between the committed (or consumed) position and
    /// the high watermark.
    struct PartitionLag: Sendable, Hashable {
        let topic: String
        let partition: Int
        let lag: Int64
    }

    private struct Topic: Decodable {
        let partitions: [String: Partition]?
    }

    private struct Partition: Decodable {
        let partition: Int
        let consumer_lag: Int64?
    }

    /// `producer` or `consumer`.
    let type: String?
    /// Messages waiting in the producer's queues (`msg_cnt`).
    let msg_cnt: Int64?
    private let topics: [String: Topic]?

    /// Parses the JSON librdkafka hands the statistics callback.
    init(json: some Collection<UInt8>) throws {
        self = try JSONDecoder().decode(KafkaStatistics.self, from: Data(json))
    }

    /// The consumer lag of every real partition whose lag is known. librdkafka reports `-1`
    /// for partitions not assigned to this consumer and lists an internal partition `-1`; both
    /// are left out.
    var consumerLags: [PartitionLag] {
        (topics ?? [:]).flatMap { name, topic in
            (topic.partitions ?? [:]).values.compactMap { partition -> PartitionLag? in
                guard partition.partition >= 0, let lag = partition.consumer_lag, lag >= 0 else { return nil }
                return PartitionLag(topic: name, partition: partition.partition, lag: lag)
            }
        }
        .sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
    }
}

/// Records Kafka metrics through swift-metrics:
/// - `kafka_messages_produced_total{topic}`: messages the broker acknowledged;
/// - `kafka_messages_failed_total{topic}`: messages that could not be enqueued or delivered;
/// - `kafka_consumer_lag{topic,partition}`: from the consumer's statistics;
/// - `kafka_producer_queued_messages`: from the producer's statistics.
///
/// Metric objects are created once per label set and cached, since delivery reports arrive for
/// every message.
final class KafkaMetrics: Sendable {
    private let factory: any MetricsFactory
    private let logger: Logging.Logger
    private let producedCounters = Mutex<[String: Counter]>([:])
    private let failedCounters = Mutex<[String: Counter]>([:])
    private let lagGauges = Mutex<[KafkaTopicPartition: Gauge]>([:])
    private let queuedGauge: Gauge

    init(factory: any MetricsFactory, logger: Logging.Logger) {
        self.factory = factory
        self.logger = logger
        self.queuedGauge = Gauge(label: "kafka_producer_queued_messages", dimensions: [], factory: factory)
    }

    /// The statistics callback recording into these metrics, when statistics are enabled.
    func statisticsHandler(enabled: Bool) -> KafkaCallbackContext.StatisticsHandler? {
        guard enabled else { return nil }
        return { json in self.recordStatistics(json: json) }
    }

    /// Counts a message the broker acknowledged.
    func recordProduced(topic: String, count: Int = 1) {
        counter(in: producedCounters, label: "kafka_messages_produced_total", topic: topic).increment(by: count)
    }

    /// Counts a message that could not be enqueued or was not acknowledged.
    func recordFailed(topic: String, count: Int = 1) {
        counter(in: failedCounters, label: "kafka_messages_failed_total", topic: topic).increment(by: count)
    }

    /// Records what a statistics JSON document says; a document that does not parse is logged
    /// and skipped (statistics must never break messaging).
    func recordStatistics(json: UnsafeRawBufferPointer) {
        let statistics: KafkaStatistics
        do {
            statistics = try KafkaStatistics(json: json)
        } catch {
            logger.debug("could not parse librdkafka statistics", metadata: ["error": "\(error)"])
            return
        }
        if statistics.type == "producer", let queued = statistics.msg_cnt {
            queuedGauge.record(queued)
        }
        for lag in statistics.consumerLags {
            lagGauge(for: KafkaTopicPartition(topic: lag.topic, partition: lag.partition)).record(lag.lag)
        }
    }

    private func counter(in cache: borrowing Mutex<[String: Counter]>, label: String, topic: String) -> Counter {
        cache.withLock { counters in
            if let counter = counters[topic] { return counter }
            let counter = Counter(label: label, dimensions: [("topic", topic)], factory: factory)
            counters[topic] = counter
            return counter
        }
    }

    private func lagGauge(for partition: KafkaTopicPartition) -> Gauge {
        lagGauges.withLock { gauges in
            if let gauge = gauges[partition] { return gauge }
            let gauge = Gauge(
                label: "kafka_consumer_lag",
                dimensions: [("topic", partition.topic), ("partition", String(partition.partition))],
                factory: factory
            )
            gauges[partition] = gauge
            return gauge
        }
    }
}
