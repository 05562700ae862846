import BazaarKafka
import BazaarTestSupport
import Synchronization
import Testing

@Suite("Kafka consumer")
struct KafkaConsumerTests {
    typealias Environment = KafkaTestEnvironment

    @Test(
        "two consumers of one group share the partitions and see every message exactly once",
        arguments: ["range", "cooperative-sticky"]
    )
    func consumersOfOneGroupSharePartitions(assignor: String) async throws {
        let brokers = try Environment.brokers()
        let topic = Environment.uniqueName("shared")
        let group = Environment.uniqueName("group")
        let producer = try KafkaProducer(configuration: Environment.producerConfiguration(brokers: brokers))
        var configuration = Environment.consumerConfiguration(brokers: brokers, groupID: group)
        configuration.additionalProperties["partition.assignment.strategy"] = assignor
        let first = try KafkaConsumer(configuration: configuration, topics: [topic])
        let second = try KafkaConsumer(configuration: configuration, topics: [topic])

        let received = try await Environment.withRunning(first) {
            try await Environment.withRunning(second) {
                try await eventually("both consumers to get partitions") {
                    !first.assignedPartitions.isEmpty && !second.assignedPartitions.isEmpty
                }
                let partitionCount = try #require(try await producer.partitionCount(of: topic))
                let firstPartitions = Set(first.assignedPartitions)
                let secondPartitions = Set(second.assignedPartitions)
                #expect(firstPartitions.isDisjoint(with: secondPartitions))
                #expect(firstPartitions.union(secondPartitions).count == partitionCount)

                let count = 40
                for index in 0..<count {
                    let message = KafkaOutgoingMessage(topic: topic, key: "order-\(index)", value: Array("\(index)".utf8))
                    _ = try await producer.send(message)
                }
                return try await receiveTogether(count, from: [first, second])
            }
        }
        let values = received.map { String(decoding: $0.message.value, as: UTF8.self) }
        #expect(values.count == 40)
        #expect(Set(values) == Set((0..<40).map(String.init)))
        // Both members did part of the work.
        #expect(Set(received.map(\.consumer)) == [0, 1])
        await producer.shutdown()
    }

    @Test("only stored offsets are committed: a new member resumes after the last stored message")
    func onlyStoredOffsetsAreCommitted() async throws {
        let brokers = try Environment.brokers()
        let topic = Environment.uniqueName("offsets")
        let group = Environment.uniqueName("group")
        let producer = try KafkaProducer(configuration: Environment.producerConfiguration(brokers: brokers))
        // One key, so one partition, in order.
        for index in 0..<10 {
            _ = try await producer.send(KafkaOutgoingMessage(topic: topic, key: "cart-1", value: [UInt8(index)]))
        }

        let configuration = Environment.consumerConfiguration(brokers: brokers, groupID: group)
        let firstMember = try KafkaConsumer(configuration: configuration, topics: [topic])
        let firstPass = try await Environment.withRunning(firstMember) {
            try await Environment.receive(10, from: firstMember) { $0.offset < 4 }
        }
        #expect(firstPass.map(\.value) == (0..<10).map { [UInt8($0)] })

        let secondMember = try KafkaConsumer(configuration: configuration, topics: [topic])
        let secondPass = try await Environment.withRunning(secondMember) {
            try await Environment.receive(6, from: secondMember)
        }
        #expect(secondPass.first?.offset == 4)
        #expect(secondPass.map(\.value) == (4..<10).map { [UInt8($0)] })
        await producer.shutdown()
    }

    @Test("a consumer that never ran shuts down cleanly and ends its messages")
    func shutdownWithoutRunEndsMessages() async throws {
        let brokers = try Environment.brokers()
        let consumer = try KafkaConsumer(
            configuration: Environment.consumerConfiguration(brokers: brokers, groupID: Environment.uniqueName("group")),
            topics: [Environment.uniqueName("idle")]
        )
        await consumer.shutdown()
        var iterator = consumer.messages.makeAsyncIterator()
        #expect(try await iterator.next() == nil)
        await #expect(throws: KafkaError.self) { try await consumer.run() }
    }

    /// Reads from several consumers at once until `count` messages arrived in total, then waits
    /// a little longer so a duplicate would show up too.
    private func receiveTogether(
        _ count: Int, from consumers: [KafkaConsumer]
    ) async throws -> [(consumer: Int, message: KafkaIncomingMessage)] {
        final class Received: Sendable {
            let messages = Mutex<[(consumer: Int, message: KafkaIncomingMessage)]>([])
        }
        let received = Received()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, consumer) in consumers.enumerated() {
                group.addTask {
                    for try await message in consumer.messages {
                        received.messages.withLock { $0.append((index, message)) }
                        try consumer.storeOffset(for: message)
                    }
                }
            }
            try await eventually("\(count) messages") { received.messages.withLock { $0.count >= count } }
            try await Task.sleep(for: .milliseconds(500))
            group.cancelAll()
        }
        return received.messages.withLock { $0 }
    }
}
