import ArgumentParser
import BazaarBenchmarkSupport
import BazaarKafka
import Foundation
import Logging

/// Measures our Kafka wrapper against raw librdkafka on the same broker in the same run:
/// produce throughput, and publish-to-consume latency (p50/p99).
///
/// Bounded: a fixed number of messages and samples, loopback only, a time limit; it starts its
/// own dev broker (`bazaar-broker`, next to this binary) unless `--brokers` names one.
@main
struct KafkaBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bazaar-kafka-benchmark",
                                                    abstract: "Kafka wrapper vs raw librdkafka: throughput and latency.")

    @Option(help: "Bootstrap servers of a running broker; by default a private dev broker is started.")
    var brokers: String?
    @Option(help: "Messages per throughput run.")
    var messages = 100_000
    @Option(help: "Payload size in bytes.")
    var size = 512
    @Option(help: "Latency samples per client.")
    var samples = 1_000
    @Option(help: "Throughput runs per client (the median is reported, after one warm-up run).")
    var rounds = 3
    @Flag(help: "Also measure one send call per message (slow; for information).")
    var includeOneByOne = false
    @Flag(help: "Measure only the wrapper's batch throughput (for profiling).")
    var wrapperOnly = false
    @Option(help: "Write the results as JSON to this file.")
    var output: String?

    func run() async throws {
        var broker: BrokerProcess?
        let bootstrap: String
        if let brokers {
            bootstrap = brokers
        } else {
            let started = try BrokerProcess.start()
            broker = started
            bootstrap = started.bootstrap
        }
        defer { broker?.stop() }
        let brokerPID = broker?.process.processIdentifier
        let watchdog = Task {
            try await Task.sleep(for: .seconds(600))
            FileHandle.standardError.write(Data("benchmark time limit reached\n".utf8))
            if let brokerPID { kill(brokerPID, SIGTERM) }
            Foundation.exit(2)
        }
        defer { watchdog.cancel() }

        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: size)
        let run = UUID().uuidString.prefix(8).lowercased()
        let producerConfiguration = KafkaProducerConfiguration(bootstrapServers: [bootstrap], clientID: "benchmark", linger: .milliseconds(5))
        let latencyProducer = KafkaProducerConfiguration(bootstrapServers: [bootstrap], clientID: "benchmark", linger: .zero)
        func consumerConfiguration(_ group: String) -> KafkaConsumerConfiguration {
            KafkaConsumerConfiguration(bootstrapServers: [bootstrap], groupID: group, clientID: "benchmark", sessionTimeout: .seconds(6),
                                       fetchWaitMax: .milliseconds(10), autoOffsetReset: .earliest)
        }
        print("broker \(bootstrap); \(messages) messages of \(size) bytes per throughput run; \(samples) latency samples")

        var raw: [Double] = []
        var wrapped: [Double] = []
        var oneByOne: [Double] = []
        var ratios: [Double] = []
        for round in 0...rounds {
            // Paired rounds, alternating which side goes first, so drift on a busy machine hits
            // both sides alike; the target is judged on the median of the per-round ratios.
            func measureRaw() throws -> Double {
                wrapperOnly ? 1 : try RawLibrdkafka.produceThroughput(properties: producerConfiguration.librdkafkaProperties,
                                                                         topic: "users", count: messages, payload: payload)
            }
            func measureWrapper() async throws -> Double {
                try await WrapperClient.produceThroughput(configuration: producerConfiguration, topic: "orders", count: messages, payload: payload)
            }
            let rawSeconds: Double
            let wrappedSeconds: Double
            if round % 2 == 0 {
                rawSeconds = try measureRaw()
                wrappedSeconds = try await measureWrapper()
            } else {
                wrappedSeconds = try await measureWrapper()
                rawSeconds = try measureRaw()
            }
            let oneByOneSeconds = !includeOneByOne ? .nan : try await WrapperClient.produceThroughputOneByOne(configuration: producerConfiguration,
                                                                                                              topic: "payments", count: messages, payload: payload)
            if round > 0 {
                raw.append(Double(messages) / rawSeconds)
                wrapped.append(Double(messages) / wrappedSeconds)
                oneByOne.append(Double(messages) / oneByOneSeconds)
                ratios.append(rawSeconds / wrappedSeconds)
            }
            let oneByOneText = includeOneByOne ? String(format: ", one send per message %.0f msg/s", Double(messages) / oneByOneSeconds) : ""
            print(String(format: "round %d: raw %.0f msg/s, wrapper %.0f msg/s (ratio %.2f)", round, Double(messages) / rawSeconds,
                         Double(messages) / wrappedSeconds, rawSeconds / wrappedSeconds) + oneByOneText)
        }
        let rawLatencies = try RawLibrdkafka.latencies(producerProperties: latencyProducer.librdkafkaProperties,
                                                        consumerProperties: consumerConfiguration("bench-\(run)-raw").librdkafkaProperties,
                                                        topic: "bench-\(run)-latency-raw", samples: samples, payload: payload)
        let wrappedLatencies = try await WrapperClient.latencies(producer: latencyProducer, consumer: consumerConfiguration("bench-\(run)-wrapped"),
                                                                 topic: "bench-\(run)-latency-wrapped", samples: samples, payload: payload)

        let result = BenchmarkResult(
            messages: messages, payloadBytes: size, latencySamples: samples,
            rawThroughput: median(raw), wrapperThroughput: median(wrapped), wrapperOneByOneThroughput: median(oneByOne),
            rawLatency: LatencySummary(rawLatencies), wrapperLatency: LatencySummary(wrappedLatencies), throughputRatio: median(ratios)
        )
        print(result.report)
        if let output {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(result).write(to: URL(fileURLWithPath: output))
        }
        guard result.meetsTargets else { throw ExitCode(1) }
    }
}

struct BenchmarkResult: Codable {
    let messages: Int
    let payloadBytes: Int
    let latencySamples: Int
    let rawThroughput: Double
    /// Through `send(batch:)`.
    let wrapperThroughput: Double
    /// Through one `send` per message; for information, not a target.
    let wrapperOneByOneThroughput: Double
    let rawLatency: LatencySummary
    let wrapperLatency: LatencySummary

    /// The median over rounds of (wrapper throughput / raw throughput) measured back to back.
    let throughputRatio: Double

    /// Targets: at least 80 % of raw throughput, and under 2 ms added to p50 latency.
    var addedMedianLatency: Double { wrapperLatency.p50 - rawLatency.p50 }
    var meetsTargets: Bool { throughputRatio >= 0.8 && addedMedianLatency < 2 }

    var report: String {
        """
                            raw librdkafka      our wrapper
        throughput (msg/s)  \(pad(rawThroughput, "%.0f"))  \(pad(wrapperThroughput, "%.0f"))   median paired ratio \(String(format: "%.2f", throughputRatio)) (target >= 0.80; send(batch:))
          one send/message                    \(pad(wrapperOneByOneThroughput, "%.0f"))   (for information, with --include-one-by-one)
        latency p50 (ms)    \(pad(rawLatency.p50, "%.3f"))  \(pad(wrapperLatency.p50, "%.3f"))   added \(String(format: "%.3f", addedMedianLatency)) ms (target < 2)
        latency p99 (ms)    \(pad(rawLatency.p99, "%.3f"))  \(pad(wrapperLatency.p99, "%.3f"))
        targets met: \(meetsTargets ? "yes" : "NO")
        """
    }

    private func pad(_ value: Double, _ format: String) -> String {
        let text = String(format: format, value)
        return String(repeating: " ", count: max(0, 16 - text.count)) + text
    }
}
