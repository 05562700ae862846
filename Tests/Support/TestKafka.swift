public import BazaarKafka
import Foundation
import Logging
import Synchronization

/// Kafka clients for tests, against the dev broker, with test-friendly timings.
public enum TestKafka {
    /// A topic prefix of its own for one test, so tests never see each other's messages.
    public static func uniquePrefix() -> String { "test-\(UUID().uuidString.prefix(8).lowercased())." }

    public static func producerConfiguration(brokers: [String], messageTimeout: Duration = .seconds(10)) -> KafkaProducerConfiguration {
        KafkaProducerConfiguration(bootstrapServers: brokers, clientID: "bazaar-test", linger: .milliseconds(1),
                                   messageTimeout: messageTimeout)
    }

    /// Session 6 s and a 10 ms fetch wait, as the dev broker needs (see `bazaar-broker`).
    public static func consumerConfiguration(group: String, brokers: [String]) -> KafkaConsumerConfiguration {
        KafkaConsumerConfiguration(bootstrapServers: brokers, groupID: group, clientID: "bazaar-test",
                                   sessionTimeout: .seconds(6), fetchWaitMax: .milliseconds(10), autoOffsetReset: .earliest,
                                   autoCommitInterval: .milliseconds(200),
                                   // Lets a subscription create its fresh test topic right away on the dev broker.
                                   additionalProperties: ["allow.auto.create.topics": "true"])
    }

    /// The same against the shared dev broker.
    public static func consumerConfiguration(group: String) throws -> KafkaConsumerConfiguration {
        consumerConfiguration(group: group, brokers: try TestInfrastructure.kafkaBrokers())
    }

    /// Runs a producer (with its delivery-report polling) for the duration of `body`.
    public static func withProducer<Result: Sendable>(brokers: [String]? = nil, messageTimeout: Duration = .seconds(10),
                                                      _ body: @Sendable (KafkaProducer) async throws -> Result) async throws -> Result {
        let producer = try KafkaProducer(configuration: producerConfiguration(brokers: brokers ?? TestInfrastructure.kafkaBrokers(), messageTimeout: messageTimeout),
                                         logger: Logger(label: "test-producer"))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await producer.run() }
            defer { group.cancelAll() }
            return try await body(producer)
        }
    }

    /// Reads `topics` in a fresh group until `count` messages arrived or `timeout` passed, and
    /// then for `settle` longer, so a test also notices messages that should not be there.
    public static func collect(_ topics: [String], count: Int, timeout: Duration = .seconds(30), settle: Duration = .zero,
                               brokers: [String]? = nil) async throws -> [KafkaIncomingMessage] {
        try await collect(topics, until: { $0.count >= count }, timeout: timeout, settle: settle, brokers: brokers)
    }

    /// Reads `topics` in a fresh group until the messages so far satisfy `done` or `timeout`
    /// passed, and then for `settle` longer.
    public static func collect(_ topics: [String], until done: @Sendable ([KafkaIncomingMessage]) -> Bool, timeout: Duration = .seconds(30),
                               settle: Duration = .zero, brokers: [String]? = nil) async throws -> [KafkaIncomingMessage] {
        let consumer = try KafkaConsumer(configuration: consumerConfiguration(group: "collector-\(UUID().uuidString)",
                                                                              brokers: brokers ?? TestInfrastructure.kafkaBrokers()), topics: topics,
                                         logger: Logger(label: "test-collector"))
        let received = MessageBox()
        let running = Task { try await consumer.run() }
        let reading = Task {
            for try await message in consumer.messages { received.append(message) }
        }
        let deadline = ContinuousClock.now + timeout
        while !done(received.messages) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: settle)
        await consumer.shutdown()
        reading.cancel()
        try await running.value
        return received.messages
    }
}

/// Messages collected by a reading task.
final class MessageBox: Sendable {
    private let storage = Mutex<[KafkaIncomingMessage]>([])
    func append(_ message: KafkaIncomingMessage) { storage.withLock { $0.append(message) } }
    var messages: [KafkaIncomingMessage] { storage.withLock { $0 } }
}
