import BazaarMongo
import BazaarTestSupport
import Foundation
import Synchronization
import Testing

@Suite("MongoDB transactions")
struct MongoTransactionTests {
    struct Rejected: Error, Equatable {}

    @Test("a transaction commits all its writes, invisible outside until it commits")
    func commitMakesWritesVisible() async throws {
        try await MongoTestEnvironment.withDatabase { database in
            let products = database.collection("products", of: Product.self)
            try await products.createIndexes([MongoIndex(["sku": 1], unique: true)])  // creates the collection outside the transaction
            let client = database.client
            let seenInside = try await client.withTransaction { session in
                try await products.insertOne(Product.sample(1), session: session)
                try await products.insertOne(Product.sample(2), session: session)
                #expect(try await session.isInTransaction)
                #expect(try await products.count() == 0)
                return try await products.count(session: session)
            }
            #expect(seenInside == 2)
            #expect(try await products.count() == 2)
        }
    }

    @Test("a transaction whose body throws is aborted and the body's error rethrown as it is")
    func abortDiscardsWrites() async throws {
        try await MongoTestEnvironment.withDatabase { database in
            let products = database.collection("products", of: Product.self)
            try await products.insertOne(Product.sample(1, stock: 5))
            await #expect(throws: Rejected.self) {
                try await database.client.withTransaction { session in
                    _ = try await products.updateOne(["_id": "product-1"], update: ["$inc": ["stock": -5]], session: session)
                    try await products.insertOne(Product.sample(2), session: session)
                    throw Rejected()
                }
            }
            #expect(try await products.findOne(["_id": "product-1"])?.stock == 5)
            #expect(try await products.count() == 1)
        }
    }

    @Test("a duplicate key inside a transaction aborts it with the typed error")
    func duplicateInsideTransaction() async throws {
        try await MongoTestEnvironment.withDatabase { database in
            let products = database.collection("products", of: Product.self)
            try await products.insertOne(Product.sample(1))
            await #expect {
                try await database.client.withTransaction { session in
                    try await products.insertOne(Product.sample(2), session: session)
                    try await products.insertOne(Product.sample(1), session: session)
                }
            } throws: { error in
                if case MongoError.duplicateKey = error { return true }
                return false
            }
            #expect(try await products.count() == 1)
        }
    }

    @Test("a write conflict with a concurrent transaction is retried until it commits")
    func transientConflictIsRetried() async throws {
        try await MongoTestEnvironment.withDatabase { database in
            let products = database.collection("products", of: Product.self)
            try await products.insertOne(Product.sample(1, stock: 0))
            let client = database.client
            let (firstWrote, signal) = AsyncStream<Void>.makeStream()
            let attempts = Atomic<Int>(0)
            // The holder keeps its transaction open until the other one's first attempt has run
            // into it, so the conflict happens however the machine schedules the two tasks.
            let firstAttemptEnded = SharedFlag()
            let holder = Task {
                try await client.withTransaction { session in
                    _ = try await products.updateOne(["_id": "product-1"], update: ["$inc": ["stock": 1]], session: session)
                    signal.yield()
                    let deadline = ContinuousClock.now + .seconds(20)
                    while !firstAttemptEnded.isSet, ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(10))
                    }
                }
            }
            for await _ in firstWrote { break }
            try await client.withTransaction(maxAttempts: 10) { session in
                let attempt = attempts.add(1, ordering: .relaxed).newValue
                defer { if attempt == 1 { firstAttemptEnded.set() } }
                _ = try await products.updateOne(["_id": "product-1"], update: ["$inc": ["stock": 10]], session: session)
            }
            try await holder.value
            let attemptCount = attempts.load(ordering: .relaxed)
            #expect(attemptCount > 1)
            #expect(try await products.findOne(["_id": "product-1"])?.stock == 11)
        }
    }

    @Test("a standalone server is reported as not supporting transactions, before the body runs")
    func standaloneServerHasNoTransactions() async throws {
        let server = try await PrivateMongo.launch(standalone: true)
        try await MongoTestEnvironment.withClient(on: server) { client in
            let ran = Atomic<Bool>(false)
            let error = try await #require(throws: MongoError.self) {
                try await client.withTransaction { _ in ran.store(true, ordering: .relaxed) }
            }
            guard case .transactionsUnsupported(let failure) = error else {
                Issue.record("expected transactionsUnsupported, got \(error)")
                return
            }
            #expect(failure.message.contains("standalone"))
            let bodyRan = ran.load(ordering: .relaxed)
            #expect(!bodyRan)
            // The connection went back to the pool: ordinary operations still work.
            try await client.ping()
        }
        await server.stop()
    }
}

/// A flag one task sets and another polls.
final class SharedFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
