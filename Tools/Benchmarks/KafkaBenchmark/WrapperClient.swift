import BazaarKafka
import Foundation
import Logging

/// The same measurements as ``RawLibrdkafka``, through our `KafkaProducer` and `KafkaConsumer`.
enum WrapperClient {
    static let logger = Logger(label: "benchmark")

    /// Sends `count` messages as batches (`send(batch:)`, 10,000 messages each), up to four
    /// batches awaiting acknowledgement at once; returns the seconds until every outcome arrived.
    static func produceThroughput(configuration: KafkaProducerConfiguration, topic: String, count: Int, payload: [UInt8]) async throws -> Double {
        // Messages are made before the clock starts, as the raw loop's keys are.
        let batchSize = 10_000
        let batches = stride(from: 0, to: count, by: batchSize).map { first in
            (first..<min(first + batchSize, count)).map { index in KafkaOutgoingMessage(topic: topic, key: String(index % 1024), value: payload) }
        }
        return try await measure(configuration: configuration, topic: topic) { producer in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (number, messages) in batches.enumerated() {
                    if number >= 4 { try await group.next() }
                    group.addTask {
                        for outcome in await producer.send(batch: messages) { _ = try outcome.get() }
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    /// The same with one `send` call per message (a child task each, 10,000 awaiting at once):
    /// the cost of the convenient API, reported for information.
    static func produceThroughputOneByOne(configuration: KafkaProducerConfiguration, topic: String, count: Int, payload: [UInt8]) async throws -> Double {
        let messages = (0..<count).map { index in KafkaOutgoingMessage(topic: topic, key: String(index % 1024), value: payload) }
        return try await measure(configuration: configuration, topic: topic) { producer in
            let window = 10_000
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<count {
                    if index >= window { try await group.next() }
                    let message = messages[index]
                    group.addTask { _ = try await producer.send(message) }
                }
                try await group.waitForAll()
            }
        }
    }

    private static func measure(configuration: KafkaProducerConfiguration, topic: String,
                                _ body: (KafkaProducer) async throws -> Void) async throws -> Double {
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        let polling = Task { try await producer.run() }
        defer { polling.cancel() }
        // Warm up: connection, metadata and producer id are set up before the clock starts.
        _ = try await producer.send(KafkaOutgoingMessage(topic: topic, key: nil, value: [0]))
        let start = ContinuousClock.now
        try await body(producer)
        return (ContinuousClock.now - start).seconds
    }

    /// Sends one message at a time and waits for our consumer to yield it; latencies in milliseconds.
    static func latencies(producer producerConfiguration: KafkaProducerConfiguration, consumer consumerConfiguration: KafkaConsumerConfiguration,
                          topic: String, samples: Int, payload: [UInt8]) async throws -> [Double] {
        let producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
        let consumer = try KafkaConsumer(configuration: consumerConfiguration, topics: [topic], logger: logger)
        let producing = Task { try await producer.run() }
        let consuming = Task { try await consumer.run() }
        defer {
            producing.cancel()
            consuming.cancel()
        }
        var incoming = consumer.messages.makeAsyncIterator()
        func roundTrip() async throws -> Duration {
            let start = ContinuousClock.now
            // Not awaiting the acknowledgement: the raw side does not wait for it either.
            let send = Task { _ = try await producer.send(KafkaOutgoingMessage(topic: topic, key: nil, value: payload)) }
            guard try await incoming.next() != nil else { throw RawLibrdkafka.Failure(description: "consumer ended") }
            let elapsed = ContinuousClock.now - start
            try await send.value
            return elapsed
        }
        // The first round trip waits for the group assignment; it is not a sample.
        _ = try await roundTrip()
        var results: [Double] = []
        for _ in 0..<samples { results.append(try await roundTrip().milliseconds) }
        await consumer.shutdown()
        return results
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var milliseconds: Double { seconds * 1000 }
}

/// A private dev broker for the run, stopped when the benchmark ends.
struct BrokerProcess {
    let process: Process
    let bootstrap: String

    static func start() throws -> BrokerProcess {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bench-bootstrap-\(UUID().uuidString)")
        let process = Process()
        process.executableURL = directory.appendingPathComponent("bazaar-broker")
        process.arguments = ["--bootstrap-file", file.path]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let text = try? String(contentsOf: file, encoding: .utf8), !text.isEmpty {
                try? FileManager.default.removeItem(at: file)
                return BrokerProcess(process: process, bootstrap: text.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.terminate()
        throw RawLibrdkafka.Failure(description: "the dev broker did not start within 20 s")
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}
