import ArgumentParser
import BazaarMongo
import Foundation
import Logging

/// Measures find-by-id and insert latency through BazaarMongo and, in the same run on the same
/// server, through pymongo (`pymongo_benchmark.py` beside this file, run with `.venv/bin/python`).
///
/// Bounded: a fixed number of sequential samples per operation and client, loopback only, a time
/// limit. It starts a private SecantusDB (from `.venv`) unless `--url` names a server.
@main
struct MongoBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bazaar-mongo-benchmark",
                                                    abstract: "BazaarMongo vs pymongo: find-by-id and insert latency.")

    @Option(help: "Connection string of a running server (retryWrites=false advised); by default a private SecantusDB is started.")
    var url: String?
    @Option(help: "Timed calls per operation and client.")
    var samples = 2_000
    @Option(help: "Untimed calls before measuring, per client.")
    var warmup = 200
    @Option(help: "Write the results as JSON to this file.")
    var output: String?

    func run() async throws {
        guard (1...4_000).contains(samples), (0...1_000).contains(warmup) else {
            throw ValidationError("--samples must be 1...4000 and --warmup 0...1000 (the server slows down after ~10,000 retryable writes)")
        }
        let server: SecantusProcess? = url == nil ? try await SecantusProcess.launch() : nil
        defer { server?.stop() }
        let serverURL = url ?? server!.url
        let watchdog = Task {
            try await Task.sleep(for: .seconds(600))
            FileHandle.standardError.write(Data("benchmark time limit reached\n".utf8))
            server?.stop()
            Foundation.exit(2)
        }
        defer { watchdog.cancel() }
        print("server \(serverURL); \(samples) sequential samples per operation after \(warmup) warm-up calls")

        let run = UUID().uuidString.prefix(8).lowercased()
        let swift = try await measureAdapter(url: serverURL, database: "bench_swift_\(run)")
        let python = try PythonBaseline.run(url: serverURL, database: "bench_python_\(run)", samples: samples, warmup: warmup)

        let rows = [
            ("find by id", "BazaarMongo", swift.findById), ("find by id", "pymongo", python.findById),
            ("insert", "BazaarMongo", swift.insert), ("insert", "pymongo", python.insert),
        ]
        print("")
        print("operation    client         p50 ms   p99 ms  mean ms")
        for (operation, client, latency) in rows {
            print(operation.padding(toLength: 13, withPad: " ", startingAt: 0) + client.padding(toLength: 13, withPad: " ", startingAt: 0)
                  + [latency.p50, latency.p99, latency.mean].map { String(format: "%9.3f", $0) }.joined())
        }
        if let output {
            let results = Results(server: serverURL, samples: samples, bazaarMongo: swift, pymongo: python)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(results).write(to: URL(fileURLWithPath: output))
        }
    }

    /// Inserts then finds `samples` documents one at a time through the adapter.
    private func measureAdapter(url: String, database: String) async throws -> Measurements {
        let client = try MongoClient(configuration: MongoConfiguration(url: url, database: database, poolSize: 4),
                                     logger: Logger(label: "benchmark"))
        let products = client.collection("products", of: BenchmarkProduct.self)
        try await products.drop()
        for number in 0..<warmup {
            try await products.insertOne(.sample(-1 - number))
            _ = try await products.findOne(["_id": .string("product-\(-1 - number)")])
        }
        var inserts: [Double] = []
        for number in 0..<samples {
            let product = BenchmarkProduct.sample(number)
            let start = ContinuousClock.now
            try await products.insertOne(product)
            inserts.append((ContinuousClock.now - start).milliseconds)
        }
        var finds: [Double] = []
        for number in (0..<samples).shuffled() {
            let start = ContinuousClock.now
            let found = try await products.findOne(["_id": .string("product-\(number)")])
            finds.append((ContinuousClock.now - start).milliseconds)
            guard found != nil else { throw ValidationError("product-\(number) was not found") }
        }
        try await client.database.drop()
        await client.shutDown()
        return Measurements(findById: Latency(finds), insert: Latency(inserts))
    }
}

/// The same document shape the Python side inserts.
struct BenchmarkProduct: Codable, Sendable {
    struct Money: Codable, Sendable { var minorUnits: Int64; var currency: String }
    struct Image: Codable, Sendable { var url: String; var width: Int; var height: Int }
    var id: String
    var sku: String
    var name: String
    var price: Money
    var images: [Image]
    var attributes: [String: String]
    var tags: [String]
    var stock: Int
    var rating: Double
    var isActive: Bool
    var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id = "_id", sku, name, price, images, attributes, tags, stock, rating, isActive, createdAt
    }

    static func sample(_ number: Int) -> BenchmarkProduct {
        BenchmarkProduct(
            id: "product-\(number)", sku: "SKU-\(number)", name: "Product \(number)",
            price: Money(minorUnits: 1999 + Int64(number), currency: "EUR"),
            images: [Image(url: "https://cdn.example.com/\(number).jpg", width: 800, height: 600)],
            attributes: ["colour": "red", "size": "M"], tags: ["new"], stock: 10, rating: 4.5, isActive: true,
            createdAt: Date(timeIntervalSince1970: 1_700_000_000)
        )
    }
}
