import ArgumentParser
import BazaarBenchmarkSupport
import BazaarRedis
import Foundation
import Logging

/// GET/SET round trips per second through our Redis adapter, side by side with `redis-benchmark`
/// (the C client shipped with Redis) on the same server in the same run, at 1 and 32 concurrent
/// clients. The target: the adapter reaches at least half of redis-benchmark's rate at the same
/// concurrency. Exits with status 1 when it does not.
///
/// Bounded: a fixed number of requests per measurement, loopback only, and a time limit. It
/// starts its own redis-server unless `--url` names one.
@main
struct RedisBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bazaar-redis-benchmark",
                                                    abstract: "Redis adapter vs redis-benchmark: GET/SET requests per second.")

    @Option(help: "A running server (redis://host:port/db); by default a private redis-server is started on loopback.")
    var url: String?
    @Option(help: "Requests per measurement.")
    var requests = 50_000
    @Option(help: "Paired rounds per operation and concurrency (the median ratio is judged).")
    var rounds = 7
    @Option(parsing: .upToNextOption, help: "Concurrent tasks (adapter) and clients (redis-benchmark).")
    var concurrency: [Int] = [1, 32]
    @Option(help: "The adapter's pool size (REDIS_POOL_SIZE).")
    var poolSize = 8
    @Option(help: "Give up after this many seconds.")
    var timeLimit = 300

    func run() async throws {
        let server: BenchmarkServer? = url == nil ? try BenchmarkServer() : nil
        defer { server?.stop() }
        let serverPID = server?.process.processIdentifier
        let timeLimit = self.timeLimit
        let watchdog = Task {
            try await Task.sleep(for: .seconds(timeLimit))
            FileHandle.standardError.write(Data("benchmark time limit reached\n".utf8))
            if let serverPID { kill(serverPID, SIGKILL) }
            Foundation.exit(2)
        }
        defer { watchdog.cancel() }

        var configuration = try RedisConfiguration(url: url ?? server?.url ?? "", variable: "--url")
        configuration.poolSize = poolSize
        var logger = Logger(label: "redis-benchmark")
        logger.logLevel = .error
        let client = RedisClient(configuration: configuration, logger: logger)
        try await server?.waitUntilReady(using: client)
        print("server \(configuration.host):\(configuration.port); \(requests) requests per measurement, \(rounds) paired rounds, adapter pool size \(poolSize)")

        var rows: [Row] = []
        for clients in concurrency {
            for operation in ["SET", "GET"] {
                var adapterRates: [Double] = []
                var referenceRates: [Double] = []
                var ratios: [Double] = []
                // Warm-up: connections, scripts, caches.
                _ = try await AdapterLoad.requestsPerSecond(operation: operation, client: client, concurrency: clients, requests: min(requests, 5_000))
                for round in 0..<rounds {
                    // Alternate which side goes first, so drift on a busy machine hits both alike.
                    func reference() throws -> Double {
                        try ReferenceBenchmark.requestsPerSecond(test: operation.lowercased(), clients: clients, requests: requests,
                                                                 host: configuration.host, port: configuration.port, password: configuration.password)
                    }
                    func adapter() async throws -> Double {
                        try await AdapterLoad.requestsPerSecond(operation: operation, client: client, concurrency: clients, requests: requests)
                    }
                    let (referenceRate, adapterRate): (Double, Double)
                    if round % 2 == 0 {
                        referenceRate = try reference()
                        adapterRate = try await adapter()
                    } else {
                        adapterRate = try await adapter()
                        referenceRate = try reference()
                    }
                    referenceRates.append(referenceRate)
                    adapterRates.append(adapterRate)
                    ratios.append(adapterRate / referenceRate)
                    print(String(format: "%@ c=%d round %d: redis-benchmark %.0f req/s, adapter %.0f req/s (ratio %.2f)",
                                 operation, clients, round + 1, referenceRate, adapterRate, adapterRate / referenceRate))
                }
                rows.append(Row(operation: operation, concurrency: clients, reference: median(referenceRates),
                                adapter: median(adapterRates), ratio: median(ratios)))
            }
        }
        await client.shutdown()
        print(Row.table(rows))
        guard rows.allSatisfy(\.meetsTarget) else {
            print("target missed: the adapter must reach at least 50 % of redis-benchmark at the same concurrency")
            throw ExitCode(1)
        }
        print("target met: the adapter reaches at least 50 % of redis-benchmark at every concurrency")
    }
}

/// Drives the adapter: `concurrency` tasks each sending their share of `requests` one at a time.
enum AdapterLoad {
    static let key = "key:__rand_int__"
    static let value: [UInt8] = Array("xxx".utf8)

    static func requestsPerSecond(operation: String, client: RedisClient, concurrency: Int, requests: Int) async throws -> Double {
        let perTask = max(requests / concurrency, 1)
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    if operation == "SET" {
                        for _ in 0..<perTask { try await client.set(key, to: value) }
                    } else {
                        for _ in 0..<perTask { _ = try await client.getBytes(key) }
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - start
        return Double(perTask * concurrency) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}

/// One line of the result table.
struct Row {
    let operation: String
    let concurrency: Int
    let reference: Double
    let adapter: Double
    let ratio: Double

    var meetsTarget: Bool { ratio >= 0.5 }

    static func table(_ rows: [Row]) -> String {
        var lines = ["", "operation  concurrency  redis-benchmark req/s  adapter req/s  median ratio  target (>= 0.50)"]
        for row in rows {
            lines.append(pad(row.operation, 9) + "  " + pad(String(row.concurrency), 11, right: true) + "  "
                         + pad(String(format: "%.0f", row.reference), 21, right: true) + "  "
                         + pad(String(format: "%.0f", row.adapter), 13, right: true) + "  "
                         + pad(String(format: "%.2f", row.ratio), 12, right: true) + "  " + (row.meetsTarget ? "met" : "MISSED"))
        }
        return lines.joined(separator: "\n")
    }

    private static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return right ? padding + text : text + padding
    }
}

