import BazaarKafka
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
    /// The environment variable naming the broker(s), `host:port[,host:port]`.
    static let brokersVariable = "BAZAAR_KAFKA_BROKERS"
    /// Optional prefix the broker put before the catalog topics (`bazaar-broker --topic-prefix`).
    static let topicPrefixVariable = "BAZAAR_KAFKA_TOPIC_PREFIX"

    struct MissingBroker: Error, CustomStringConvertible {
        var description: String {
            "\(KafkaTestEnvironment.brokersVariable) is not set: start `bazaar-broker --bootstrap-file FILE` "
                + "and export \(KafkaTestEnvironment.brokersVariable)=$(cat FILE), or run `make test`"
        }
    }

    struct Timeout: Error, CustomStringConvertible {
        let description: String
    }

    /// The brokers from `BAZAAR_KAFKA_BROKERS`; throws a clear error when it is unset.
    static func brokers() throws -> [String] {
        guard let value = ProcessInfo.processInfo.environment[brokersVariable], !value.isEmpty else {
            throw MissingBroker()
        }
        return value.split(separator: ",").map { String($0.trimmingCharacters(in: .whitespaces)) }
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
        KafkaProducerConfiguration(bootstrapServers: brokers, linger: .milliseconds(1), messageTimeout: messageTimeout)
    }

    /// A consumer configuration that suits the mock cluster: 6 s sessions, 10 ms fetch waits.
    static func consumerConfiguration(brokers: [String], groupID: String) -> KafkaConsumerConfiguration {
        KafkaConsumerConfiguration(
            bootstrapServers: brokers,
            groupID: groupID,
            sessionTimeout: .seconds(6),
            fetchWaitMax: .milliseconds(10),
            autoOffsetReset: .earliest,
            autoCommitInterval: .milliseconds(200),
            // Let a subscription create its (fresh) topic right away on the dev broker.
            additionalProperties: ["allow.auto.create.topics": "true"]
        )
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
        try await withDeadline(limit, "receiving \(count) messages") {
            var received: [KafkaIncomingMessage] = []
            for try await message in consumer.messages {
                received.append(message)
                if store(message) { try consumer.storeOffset(for: message) }
                if received.count == count { break }
            }
            return received
        }
    }

    /// Waits until `condition` holds, checking every 100 ms, or throws after `limit`.
    static func waitUntil(
        _ what: String, within limit: Duration = .seconds(20), _ condition: @Sendable () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + limit
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw Timeout(description: "timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Runs `body`, throwing ``Timeout`` (and cancelling it) if it takes longer than `limit`.
    static func withDeadline<Result: Sendable>(
        _ limit: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let result = first else {
                throw Timeout(description: "timed out after \(limit) \(what)")
            }
            return result
        }
    }
}
