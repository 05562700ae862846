import BazaarKafka
import BazaarTestSupport
import Foundation
import Testing

/// The one place Kafka tests get their broker and throw-away names from.
///
/// Tests run against a real Kafka-protocol broker whose bootstrap servers are in
/// `BAZAAR_KAFKA_BROKERS` (`make test` starts `bazaar-broker` and exports it; by hand:
/// `.build-kafka/debug/bazaar-broker --bootstrap-file /tmp/kafka-bootstrap &` then
/// `export BAZAAR_KAFKA_BROKERS=$(cat /tmp/kafka-bootstrap)`). Every test uses fresh random
/// topics and groups, which the dev broker auto-creates with 4 partitions.
enum KafkaTestEnvironment {
    /// Optional prefix the broker put before the catalog topics (`bazaar-broker --topic-prefix`).
    static let topicPrefixVariable = "BAZAAR_KAFKA_TOPIC_PREFIX"

    /// The dev broker `make test` started (from the environment or `.run/.../infra.env`).
    static func brokers() throws -> [String] {
        try TestInfrastructure.kafkaBrokers()
    }

    static var topicPrefix: String {
        ProcessInfo.processInfo.environment[topicPrefixVariable] ?? ""
    }

    /// A name no other test (or earlier run against the same broker) uses.
    static func uniqueName(_ purpose: String) -> String {
        "test.\(purpose).\(UUID().uuidString.prefix(8).lowercased())"
    }

    static func producerConfiguration(
        brokers: [String], messageTimeout: Duration = .seconds(10)
    ) -> KafkaProducerConfiguration {
        TestKafka.producerConfiguration(brokers: brokers, messageTimeout: messageTimeout)
    }

    /// A consumer configuration that suits the mock cluster (see ``TestKafka``).
    static func consumerConfiguration(brokers: [String], groupID: String) -> KafkaConsumerConfiguration {
        TestKafka.consumerConfiguration(group: groupID, brokers: brokers)
    }

    /// Runs `body` with `consumer` polling (its `run()` in a task), then shuts it down.
    static func withRunning<Result: Sendable>(
        _ consumer: KafkaConsumer, _ body: () async throws -> Result
    ) async throws -> Result {
        let running = Task { try await consumer.run() }
        do {
            let result = try await body()
            await consumer.shutdown()
            try await running.value
            return result
        } catch {
            await consumer.shutdown()
            _ = try? await running.value
            throw error
        }
    }

    /// Reads `count` messages from `consumer`, storing the offsets of those `store` accepts.
    static func receive(
        _ count: Int, from consumer: KafkaConsumer, within limit: Duration = .seconds(20),
        store: @escaping @Sendable (KafkaIncomingMessage) -> Bool = { _ in true }
    ) async throws -> [KafkaIncomingMessage] {
        try await finishing("receiving \(count) messages", within: limit) {
            var received: [KafkaIncomingMessage] = []
            for try await message in consumer.messages {
                received.append(message)
                if store(message) { try consumer.storeOffset(for: message) }
                if received.count == count { break }
            }
            return received
        }
    }

}
