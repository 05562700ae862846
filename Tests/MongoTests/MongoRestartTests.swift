import BazaarCore
import BazaarMongo
import BazaarTestSupport
import Foundation
import Testing

@Suite("MongoDB server restarts")
struct MongoRestartTests {
    @Test("the pool survives a server restart: operations fail while it is down and work again after, with the same client")
    func poolSurvivesRestart() async throws {
        let server = try await PrivateMongo.launch()
        try await MongoTestEnvironment.withClient(on: server) { client in
            let products = client.collection("products", of: Product.self)
            try await products.insertOne(Product.sample(1))
            #expect(try await products.count() == 1)

            await server.stop()
            let failure = try await #require(throws: MongoError.self) { try await products.findOne(["_id": "product-1"]) }
            #expect(failure.isRetriable, "a connection failure should be retriable: \(failure)")
            #expect(failure.problem.status.code == 503)
            let report = await HealthMonitor(checks: [client.healthCheck]).report()
            #expect(!report.isHealthy)

            try await server.start()
            // A wait for the state, not a measure: on two busy cores the restarted server and the
            // driver's rediscovery can take a while.
            let deadline = ContinuousClock.now + .seconds(60)
            var found: Product?
            while found == nil {
                do {
                    found = try await products.findOne(["_id": "product-1"])
                } catch let error as MongoError where error.isRetriable && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            #expect(found == Product.sample(1))
            try await products.insertOne(Product.sample(2))
            #expect(try await products.count() == 2)
            try await client.healthCheck.check()
        }
        await server.stop()
    }
}
