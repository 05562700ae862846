import BazaarContracts
import BazaarKafka
import BazaarTestSupport
import Foundation
import Testing

@Suite("Kafka producer")
struct KafkaProducerTests {
    typealias Environment = KafkaTestEnvironment

    @Test("a message round-trips with its key, value and headers")
    func roundTripPreservesKeyAndHeaders() async throws {
        let brokers = try Environment.brokers()
        let topic = Environment.uniqueName("round-trip")
        let producer = try KafkaProducer(configuration: Environment.producerConfiguration(brokers: brokers))
        // Run the producer as a service would; cancelling the task shuts it down.
        let producing = Task { try await producer.run() }

        let headers: [(String, [UInt8])] = [
            ("ce_type", Array("bazaar.order.placed.v1".utf8)),
            ("binary", [0, 255, 1, 254]),
            ("empty", []),
            ("ce_type", Array("repeated".utf8)),
        ]
        let key: [UInt8] = Array("order-42".utf8) + [0, 1]
        let value = Array(#"{"id":"order-42"}"#.utf8)
        let before = Date()
        let report = try await producer.send(KafkaOutgoingMessage(topic: topic, key: key, value: value, headers: headers))
        #expect(report.topic == topic)
        #expect(report.offset == 0)

        let consumer = try KafkaConsumer(
            configuration: Environment.consumerConfiguration(brokers: brokers, groupID: Environment.uniqueName("group")),
            topics: [topic]
        )
        let received = try await Environment.withRunning(consumer) {
            try await Environment.receive(1, from: consumer)
        }
        let message = try #require(received.first)
        #expect(message.topic == topic)
        #expect(message.partition == report.partition)
        #expect(message.offset == 0)
        #expect(message.key == key)
        #expect(message.value == value)
        #expect(message.headers.map(\.0) == headers.map(\.0))
        #expect(message.headers.map(\.1) == headers.map(\.1))
        #expect(message.headerString("ce_type") == "repeated")
        let timestamp = try #require(message.timestamp)
        #expect(abs(timestamp.timeIntervalSince(before)) < 60)

        producing.cancel()
        try await producing.value  // run() flushes and returns once cancelled
    }

    @Test("a batch returns one outcome per message, in order; one partition keeps the batch's order")
    func batchOutcomesInOrder() async throws {
        let brokers = try Environment.brokers()
        let topic = Environment.uniqueName("batch")
        let producer = try KafkaProducer(configuration: Environment.producerConfiguration(brokers: brokers))
        let messages = (0..<500).map { KafkaOutgoingMessage(topic: topic, partition: 0, key: "k", value: Array(String($0).utf8)) }
        let outcomes = await producer.send(batch: messages)
        #expect(outcomes.count == 500)
        let offsets = try outcomes.map { try $0.get().offset }
        #expect(offsets == (0..<500).map { Int64($0) })
        let consumer = try KafkaConsumer(
            configuration: Environment.consumerConfiguration(brokers: brokers, groupID: Environment.uniqueName("group")), topics: [topic])
        let received = try await Environment.withRunning(consumer) { try await Environment.receive(500, from: consumer) }
        #expect(received.map { String(decoding: $0.value, as: UTF8.self) } == (0..<500).map(String.init))
        await producer.shutdown()
    }

    @Test("a batch sent after shutdown fails every message with a shut-down error")
    func batchAfterShutdown() async throws {
        let producer = try KafkaProducer(configuration: Environment.producerConfiguration(brokers: try Environment.brokers()))
        await producer.shutdown()
        let outcomes = await producer.send(batch: [KafkaOutgoingMessage(topic: "t", key: "a", value: [1]), KafkaOutgoingMessage(topic: "t", key: "b", value: [2])])
        #expect(outcomes.count == 2)
        for outcome in outcomes {
            guard case .failure(let error) = outcome else { Issue.record("a message was sent after shutdown"); continue }
            #expect(error.kind == .shutDown)
        }
    }

    @Test("sends work before run() starts, since delivery reports are polled from init")
    func sendBeforeRunIsAcknowledged() async throws {
        let producer = try KafkaProducer(configuration: Environment.producerConfiguration(brokers: try Environment.brokers()))
        let topic = Environment.uniqueName("before-run")
        let reports = try await withThrowingTaskGroup(of: KafkaDeliveryReport.self) { group in
            for index in 0..<20 {
                group.addTask {
                    try await producer.send(KafkaOutgoingMessage(topic: topic, key: "key-\(index)", value: [UInt8(index)]))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(reports.count == 20)
        #expect(reports.allSatisfy { $0.topic == topic && $0.offset != nil })
        await producer.shutdown()
        let afterShutdown = await #expect(throws: KafkaError.self) {
            try await producer.send(KafkaOutgoingMessage(topic: topic, key: nil, value: [1]))
        }
        #expect(afterShutdown?.kind == .shutDown)
    }

    @Test("a send to an unreachable broker throws a retriable error within the message timeout")
    func unreachableBrokerThrowsRetriableError() async throws {
        var configuration = Environment.producerConfiguration(brokers: ["127.0.0.1:1"], messageTimeout: .milliseconds(1500))
        configuration.flushTimeout = .milliseconds(500)
        let producer = try KafkaProducer(configuration: configuration)
        // With librdkafka's default (300 s) this would outlast the limit: the configured timeout applies.
        let outcome = try await finishing("the send to time out", within: .seconds(120)) {
            do {
                _ = try await producer.send(KafkaOutgoingMessage(topic: "unreachable", key: "key", value: [1, 2, 3]))
                return nil as KafkaError?
            } catch let error as KafkaError {
                return error
            }
        }
        let error = try #require(outcome, "a send to an unreachable broker succeeded")
        #expect(error.code == .messageTimedOut)
        #expect(error.isRetriable == true)
        #expect(error.isFatal == false)
        await producer.shutdown()
    }

    @Test("a full local queue backs off, then fails retriably; shutdown fails what it cannot flush")
    func queueFullBacksOffThenFailsRetriably() async throws {
        var configuration = Environment.producerConfiguration(brokers: ["127.0.0.1:1"], messageTimeout: .seconds(30))
        configuration.additionalProperties = ["queue.buffering.max.messages": "1"]
        configuration.enqueueTimeout = .milliseconds(300)
        configuration.flushTimeout = .milliseconds(200)
        let producer = try KafkaProducer(configuration: configuration)
        let first = Task { try await producer.send(KafkaOutgoingMessage(topic: "queued", key: "a", value: [1])) }
        try await eventually("the first message to fill the one-message queue") { producer.outstandingMessages == 1 }

        let clock = ContinuousClock()
        let start = clock.now
        let queueFull = await #expect(throws: KafkaError.self) {
            try await producer.send(KafkaOutgoingMessage(topic: "queued", key: "b", value: [2]))
        }
        #expect(queueFull?.code == .queueFull)
        #expect(queueFull?.isRetriable == true)
        // A lower bound only (the send waited for space before failing), which no slow machine breaks.
        #expect(clock.now - start >= .milliseconds(300))

        await producer.shutdown()
        let purged = await #expect(throws: KafkaError.self) { try await first.value }
        #expect(purged?.name == "_PURGE_QUEUE")
        #expect(purged?.isRetriable == true)
    }

    @Test("producers and consumers released without shutdown clean up in the background")
    func releasingWithoutShutdownIsSafe() async throws {
        let brokers = try Environment.brokers()
        let topic = Environment.uniqueName("released")
        var producer: KafkaProducer? = try KafkaProducer(configuration: Environment.producerConfiguration(brokers: brokers))
        _ = try await producer?.send(KafkaOutgoingMessage(topic: topic, key: "key", value: [1]))
        producer = nil
        var consumer: KafkaConsumer? = try KafkaConsumer(
            configuration: Environment.consumerConfiguration(brokers: brokers, groupID: Environment.uniqueName("group")),
            topics: [topic]
        )
        #expect(consumer?.assignedPartitions == [])
        consumer = nil
    }

    @Test("the broker creates every catalog topic with its partition count")
    func catalogTopicsExist() async throws {
        let producer = try KafkaProducer(configuration: Environment.producerConfiguration(brokers: try Environment.brokers()))
        let counts = try await producer.partitionCounts()
        for topic in TopicCatalog.all {
            let name = topic.name(prefix: Environment.topicPrefix)
            #expect(counts[name] == topic.partitions, "topic \(name)")
        }
        #expect(try await producer.partitionCount(of: Environment.uniqueName("absent")) == nil)
        await producer.shutdown()
    }
}
