import BazaarCore
import BazaarMongo
import BazaarTestSupport
import Foundation
import Logging
import Testing

@Suite("MongoDB indexes, errors and configuration")
struct MongoIndexAndErrorTests {
    static let productIndexes = [
        MongoIndex(["sku": 1], unique: true),
        MongoIndex(["isActive": 1, "price.minorUnits": -1]),
    ]

    @Test("creating the same indexes at every start-up is fine")
    func indexCreationIsIdempotent() async throws {
        try await MongoTestEnvironment.withDatabase { database in
            let products = database.collection("products", of: Product.self)
            try await products.createIndexes(Self.productIndexes)
            try await products.createIndexes(Self.productIndexes)
            #expect(Set(try await products.indexNames()) == ["_id_", "sku_1", "isActive_1_price.minorUnits_-1"])
        }
    }

    @Test("a unique index violation is a typed duplicate-key error and a 409 problem")
    func duplicateKeyIsTyped() async throws {
        try await MongoTestEnvironment.withDatabase { database in
            let products = database.collection("products", of: Product.self)
            try await products.createIndexes(Self.productIndexes)
            try await products.insertOne(Product.sample(1))
            var sameSKU = Product.sample(2)
            sameSKU.sku = Product.sample(1).sku

            let error = try await #require(throws: MongoError.self) { try await products.insertOne(sameSKU) }
            guard case .duplicateKey(let duplicate) = error else {
                Issue.record("expected duplicateKey, got \(error)")
                return
            }
            #expect(duplicate.failure.code == 11000)
            #expect(duplicate.failure.domain == .server)
            #expect(duplicate.failure.message.contains("E11000"))
            #expect(duplicate.fields == ["sku"])
            #expect(duplicate.keyValue?["sku"] == "SKU-1")
            #expect(!error.isRetriable)

            let problem = error.problem
            #expect(problem.status.code == 409)
            #expect(problem.kind == "conflict")
            #expect(problem.detail == "A record with the same sku already exists.")
            #expect(!problem.detail.contains("SKU-1"))

            var sameIDOtherSKU = Product.sample(1)
            sameIDOtherSKU.sku = "SKU-OTHER"
            let sameID = try await #require(throws: MongoError.self) { try await products.insertOne(sameIDOtherSKU) }
            guard case .duplicateKey(let duplicateID) = sameID else {
                Issue.record("expected duplicateKey, got \(sameID)")
                return
            }
            #expect(duplicateID.fields == ["_id"])
            #expect(sameID.problem.detail == "A record with the same identifier already exists.")
        }
    }

    @Test("a duplicate met by an update or findOneAndUpdate is typed too")
    func duplicateKeyFromUpdates() async throws {
        try await MongoTestEnvironment.withDatabase { database in
            let products = database.collection("products", of: Product.self)
            try await products.createIndexes(Self.productIndexes)
            try await products.insertMany([Product.sample(1), Product.sample(2)])
            await #expect {
                try await products.updateOne(["_id": "product-2"], update: ["$set": ["sku": "SKU-1"]])
            } throws: { error in
                if case MongoError.duplicateKey(let duplicate) = error { return duplicate.fields == ["sku"] }
                return false
            }
            await #expect {
                try await products.findOneAndUpdate(["_id": "product-2"], update: ["$set": ["sku": "SKU-1"]])
            } throws: { error in
                if case MongoError.duplicateKey = error { return true }
                return false
            }
        }
    }

    @Test("a server error keeps its code and message")
    func serverErrorsKeepCodeAndMessage() async throws {
        try await MongoTestEnvironment.withDatabase { database in
            let products = database.collection("products", of: Product.self)
            try await products.insertOne(Product.sample(1))
            let error = try await #require(throws: MongoError.self) {
                try await products.find(["price": ["$bogusOperator": 1]])
            }
            guard case .failed(let failure) = error else {
                Issue.record("expected failed, got \(error)")
                return
            }
            #expect(failure.domain == .server)
            #expect(failure.code == 2)  // BadValue
            #expect(failure.message.contains("$bogusOperator"))
            #expect(!failure.isRetriable)
            #expect(error.problem.status.code == 500)
        }
    }

    @Test("missing or malformed settings name MONGODB_URL or MONGODB_POOL_SIZE")
    func configurationErrorsNameTheVariable() throws {
        func variable(_ values: [String: String]) -> String? {
            do {
                _ = try MongoConfiguration.from(Settings(values))
                return nil
            } catch let error as ConfigurationError {
                return error.variable
            } catch {
                return "unexpected \(error)"
            }
        }
        #expect(variable([:]) == "MONGODB_URL")
        #expect(variable(["MONGODB_URL": "postgres://localhost/catalog"]) == "MONGODB_URL")
        #expect(variable(["MONGODB_URL": "mongodb://"]) == "MONGODB_URL")
        #expect(variable(["MONGODB_URL": "mongodb://localhost:27017/"]) == "MONGODB_URL")
        #expect(variable(["MONGODB_URL": "mongodb://localhost:27017/catalog", "MONGODB_POOL_SIZE": "many"]) == "MONGODB_POOL_SIZE")
        #expect(variable(["MONGODB_URL": "mongodb://localhost:27017/catalog", "MONGODB_POOL_SIZE": "0"]) == "MONGODB_POOL_SIZE")
        #expect(variable(["MONGODB_URL": "mongodb://localhost:27017/catalog?retryWrites=false"]) == nil)

        let secret = "mongodb://app:hunter2@localhost:27017/?retryWrites=false"
        do {
            _ = try MongoConfiguration.from(Settings(["MONGODB_URL": secret]))
            Issue.record("a URL without a database was accepted")
        } catch {
            #expect(!"\(error)".contains("hunter2"))
        }
    }

    @Test("addMongo stops start-up with a configuration error naming MONGODB_URL")
    func addMongoReportsConfigurationErrors() throws {
        var host = try ServiceHost.testing(["MONGODB_URL": "mongodb://localhost:27017"])
        #expect {
            _ = try host.addMongo()
        } throws: { error in
            (error as? ConfigurationError)?.variable == "MONGODB_URL"
        }
        var unset = try ServiceHost.testing()
        #expect {
            _ = try unset.addMongo()
        } throws: { error in
            (error as? ConfigurationError)?.variable == "MONGODB_URL"
        }
    }

    @Test("the health check is named mongodb, required, and answers while the server is up")
    func healthCheck() async throws {
        try await MongoTestEnvironment.withDatabase { database in
            let check = database.client.healthCheck
            #expect(check.name == "mongodb")
            #expect(check.isRequired)
            try await check.check()
            // The report is what this test is about, not the server's speed: a busy CI machine once took
            // 3.2 s to answer, past the monitor's 2 s default (the timeout itself is tested in HealthAndDocumentTests).
            let report = await HealthMonitor(checks: [check], timeout: .seconds(60)).report()
            #expect(report.isHealthy)
        }
    }

    @Test("operations after shutdown fail with shutDown")
    func operationsAfterShutdown() async throws {
        let configuration = try MongoConfiguration(url: TestInfrastructure.mongoURL(), database: TestMongo.uniqueDatabaseName(), poolSize: 1)
        let client = try MongoClient(configuration: configuration, logger: Logger(label: "mongo-test"))
        try await client.ping()
        await client.shutDown()
        await #expect {
            try await client.ping()
        } throws: { error in
            if case MongoError.shutDown = error { return true }
            return false
        }
    }
}
