@testable import BazaarKafka
import Testing

/// Configuration is typed, and whatever librdkafka does not accept fails creation with its own
/// explanation. These tests need no broker: librdkafka checks settings before connecting.
@Suite("Kafka configuration")
struct KafkaConfigurationTests {
    private let unusedBroker = ["127.0.0.1:1"]

    @Test("an unknown producer property fails with librdkafka's message")
    func unknownProducerPropertyFails() {
        var configuration = KafkaProducerConfiguration(bootstrapServers: unusedBroker)
        configuration.additionalProperties = ["no.such.property": "1"]
        let error = #expect(throws: KafkaError.self) { try KafkaProducer(configuration: configuration) }
        #expect(error?.kind == .configuration)
        #expect(error?.message == #"No such configuration property: "no.such.property""#)
        #expect(error?.isRetriable == false)
    }

    @Test("an invalid producer value fails with librdkafka's message")
    func invalidProducerValueFails() {
        var configuration = KafkaProducerConfiguration(bootstrapServers: unusedBroker)
        configuration.additionalProperties = ["queue.buffering.max.messages": "lots"]
        let error = #expect(throws: KafkaError.self) { try KafkaProducer(configuration: configuration) }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("Invalid value") == true)
        #expect(error?.message.contains("queue.buffering.max.messages") == true)
    }

    @Test("an unknown consumer property fails with librdkafka's message")
    func unknownConsumerPropertyFails() {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: unusedBroker, groupID: "unused")
        configuration.additionalProperties = ["sesion.timeout.ms": "6000"]
        let error = #expect(throws: KafkaError.self) {
            try KafkaConsumer(configuration: configuration, topics: ["unused"])
        }
        #expect(error?.kind == .configuration)
        #expect(error?.message == #"No such configuration property: "sesion.timeout.ms""#)
    }

    @Test("a client without brokers is refused at start-up")
    func missingBrokersFail() {
        let error = #expect(throws: KafkaError.self) {
            try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: []))
        }
        #expect(error?.message.contains("bootstrapServers") == true)
    }

    @Test("the producer is always idempotent with acks=all, even against additional properties")
    func producerGuaranteesCannotBeOverridden() {
        var configuration = KafkaProducerConfiguration(bootstrapServers: unusedBroker, compression: .zstd)
        configuration.additionalProperties = ["enable.idempotence": "false", "acks": "1"]
        let properties = configuration.properties
        #expect(properties.last { $0.name == "enable.idempotence" }?.value == "true")
        #expect(properties.last { $0.name == "acks" }?.value == "all")
        #expect(properties.contains { $0 == ("compression.codec", "zstd") })
    }

    @Test("the consumer only commits offsets the application stored")
    func consumerCommitsOnlyStoredOffsets() {
        var configuration = KafkaConsumerConfiguration(
            bootstrapServers: unusedBroker, groupID: "group", sessionTimeout: .seconds(6),
            statisticsInterval: .milliseconds(1500)
        )
        configuration.additionalProperties = ["enable.auto.offset.store": "true"]
        let properties = configuration.properties
        #expect(properties.last { $0.name == "enable.auto.offset.store" }?.value == "false")
        #expect(properties.last { $0.name == "enable.auto.commit" }?.value == "true")
        #expect(properties.contains { $0 == ("session.timeout.ms", "6000") })
        #expect(properties.contains { $0 == ("statistics.interval.ms", "1500") })
    }

    @Test("consumer lag is read per partition from librdkafka's statistics")
    func statisticsYieldConsumerLag() throws {
        let json = """
            {"name": "bazaar#consumer-1", "type": "consumer", "msg_cnt": 0,
             "topics": {"orders": {"topic": "orders", "partitions": {
                "0": {"partition": 0, "consumer_lag": 7, "consumer_lag_stored": 9},
                "1": {"partition": 1, "consumer_lag": -1},
                "-1": {"partition": -1, "consumer_lag": -1}}}}}
            """
        let statistics = try KafkaStatistics(json: Array(json.utf8))
        #expect(statistics.type == "consumer")
        #expect(statistics.consumerLags == [KafkaStatistics.PartitionLag(topic: "orders", partition: 0, lag: 7)])
    }
}
