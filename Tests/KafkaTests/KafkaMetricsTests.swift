import BazaarCore
import BazaarKafka
import BazaarTestSupport
import Testing

@Suite("Kafka metrics")
struct KafkaMetricsTests {
    typealias Environment = KafkaTestEnvironment

    @Test("produced messages are counted per topic, and librdkafka statistics give the consumer lag per partition")
    func producedCountsAndConsumerLag() async throws {
        let brokers = try Environment.brokers()
        let topic = Environment.uniqueName("metrics")
        let metrics = ServiceMetrics()
        let producer = try KafkaProducer(configuration: Environment.producerConfiguration(brokers: brokers), metricsFactory: metrics.factory)
        let messages = (0..<10).map { KafkaOutgoingMessage(topic: topic, partition: 0, key: "k", value: Array(String($0).utf8)) }
        for outcome in await producer.send(batch: messages) { _ = try outcome.get() }
        await producer.shutdown()
        let exposition = String(decoding: metrics.exposition(), as: UTF8.self)
        #expect(exposition.contains(#"kafka_messages_produced_total{topic="\#(topic)"} 10"#), "\(exposition)")

        var configuration = Environment.consumerConfiguration(brokers: brokers, groupID: Environment.uniqueName("group"))
        configuration.statisticsInterval = .milliseconds(200)
        configuration.autoCommitInterval = .milliseconds(100)
        let consumer = try KafkaConsumer(configuration: configuration, topics: [topic], metricsFactory: metrics.factory)
        try await Environment.withRunning(consumer) {
            // Handle (store) only the first 4 of 10: 6 remain behind on partition 0.
            _ = try await Environment.receive(10, from: consumer) { message in message.offset < 4 }
            try await eventually("the lag gauge of partition 0 to read 6") {
                let current = String(decoding: metrics.exposition(), as: UTF8.self)
                return current.contains(#"kafka_consumer_lag{partition="0",topic="\#(topic)"} 6"#)
                    || current.contains(#"kafka_consumer_lag{topic="\#(topic)",partition="0"} 6"#)
            }
        }
    }
}
