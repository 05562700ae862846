@testable import BazaarKafka
import CRdKafka
import Logging
import Testing

/// The rebalance callback in states the broker's timing decides.
@Suite("Kafka rebalance callback")
struct KafkaRebalanceTests {
    @Test("a revocation while the consumer is no group member (as while it closes) unassigns instead of crashing")
    func revocationOutsideTheGroup() throws {
        // librdkafka names no rebalance protocol (NULL) when the consumer has no group, or when
        // its group handler is shutting down; reading that name as a string crashed a test process
        // once, when a consumer's close revoked its partitions. A consumer without a group.id is
        // the state that can be made here on purpose.
        let configuration = rd_kafka_conf_new()
        var message = [CChar](repeating: 0, count: 512)
        #expect(rd_kafka_conf_set(configuration, "bootstrap.servers", "127.0.0.1:1", &message, message.count) == RD_KAFKA_CONF_OK)
        let handle = try #require(rd_kafka_new(RD_KAFKA_CONSUMER, configuration, &message, message.count))
        defer { rd_kafka_destroy(handle) }
        #expect(rd_kafka_rebalance_protocol(handle) == nil)

        let state = KafkaConsumerState(buffer: KafkaMessageBuffer(capacity: 1), logger: Logger(label: "rebalance-test"))
        state.assignment.withLock { $0 = [KafkaTopicPartition(topic: "orders", partition: 0)] }
        let list = try #require(rd_kafka_topic_partition_list_new(1))
        defer { rd_kafka_topic_partition_list_destroy(list) }
        rd_kafka_topic_partition_list_add(list, "orders", 0)
        state.rebalance(handle: handle, code: RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS, list: list)
        #expect(state.assignment.withLock { $0.isEmpty })
    }
}
