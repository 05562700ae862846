import BazaarMongo
import BazaarTestSupport
import Foundation
import Logging

/// The Mongo tests' shared fixture: a client on a fresh database of the shared test server
/// (`BAZAAR_MONGODB_URL`), dropped afterwards, so tests never see each other's documents.
enum MongoTestEnvironment {
    /// Runs `body` with a client on a fresh database of the shared server (see ``TestMongo``).
    static func withDatabase<Result>(poolSize: Int = 4, _ body: (MongoDatabase) async throws -> Result) async throws -> Result {
        try await TestMongo.withDatabase(poolSize: poolSize, body)
    }

    /// Runs `body` with a client of its own on `server`, with short timeouts so that failures
    /// while the server is down show quickly.
    static func withClient<Result>(on server: PrivateMongo, _ body: (MongoClient) async throws -> Result) async throws -> Result {
        let url = server.url(database: "private", options: "retryWrites=false&serverSelectionTimeoutMS=1500&connectTimeoutMS=1000&heartbeatFrequencyMS=500")
        let client = try MongoClient(configuration: MongoConfiguration(url: url, poolSize: 2), logger: Logger(label: "mongo-private-test"))
        do {
            let result = try await body(client)
            await client.shutDown()
            return result
        } catch {
            await client.shutDown()
            throw error
        }
    }
}

/// A catalogue product as a service would store it: string id, money in minor units, an
/// optional compare-at price, nested images, an attributes dictionary, dates and flags.
struct Product: Codable, Sendable, Equatable {
    struct Money: Codable, Sendable, Equatable {
        var minorUnits: Int64
        var currency: String
    }

    struct Image: Codable, Sendable, Equatable {
        var url: String
        var altText: String?
        var width: Int
        var height: Int
    }

    var id: String
    var sku: String
    var name: String
    var price: Money
    var compareAtPrice: Money?
    var images: [Image]
    var attributes: [String: String]
    var tags: [String]
    var stock: Int
    var rating: Double
    var isActive: Bool
    var createdAt: Date
    var updatedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id = "_id", sku, name, price, compareAtPrice, images, attributes, tags, stock, rating, isActive, createdAt, updatedAt
    }

    /// A product whose fields depend on `number`; dates are whole milliseconds, as BSON stores them.
    static func sample(_ number: Int, price: Int64 = 1999, stock: Int = 10) -> Product {
        Product(
            id: "product-\(number)", sku: "SKU-\(number)", name: "Product \(number)",
            price: Money(minorUnits: price, currency: "EUR"), compareAtPrice: nil,
            images: [Image(url: "https://cdn.example.com/\(number).jpg", altText: nil, width: 800, height: 600)],
            attributes: ["colour": "red", "size": "M"], tags: ["new"], stock: stock, rating: 4.5, isActive: true,
            createdAt: Date(timeIntervalSince1970: 1_700_000_000.123), updatedAt: nil
        )
    }
}
