@testable import BazaarCatalog
import BazaarContracts
import BazaarCore
import BazaarKafka
import BazaarTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// A running catalog service for one test: a MongoDB-wire server of its own (SecantusDB is one
/// single-threaded Python process: sharing one between parallel catalog tests made single requests
/// wait over 20 s on a loaded machine), its own cache prefix on the test Redis, its own topic
/// prefix on the dev broker, and tokens signed by a test key (admin and customer).
struct CatalogHarness: Sendable {
    let client: any TestClientProtocol
    let topicPrefix: String
    let adminToken: String
    let customerToken: String
    /// Routes the service serves that its OpenAPI document does not describe (see ``OpenAPICoverage``).
    let undocumentedRoutes: [String]
    var catalogTopic: String { topicPrefix + "catalog" }

    /// Two at a time, one per core: each runs its own MongoDB-wire server and loads the demo catalog.
    static let running = ConcurrencyLimit(2)

    @discardableResult
    static func run<Result: Sendable>(seed: Bool = true, _ overrides: [String: String] = [:],
                                      _ body: @escaping @Sendable (CatalogHarness) async throws -> Result) async throws -> Result {
        try await running.run {
            let mongo = try await PrivateMongo.launch()
            let url = mongo.url(database: "catalog", options: "retryWrites=false&serverSelectionTimeoutMS=5000")
            let key = TestSigningKey()
            let prefix = TestKafka.uniquePrefix()
            var values: [String: String] = [
                "MONGODB_URL": url,
                "MONGODB_POOL_SIZE": "4",
                "REDIS_URL": try TestInfrastructure.redisURL(),
                "CATALOG_CACHE_PREFIX": "test-catalog-\(UUID().uuidString.prefix(8))",
                "KAFKA_BROKERS": try TestInfrastructure.kafkaBrokers().joined(separator: ","),
                "KAFKA_TOPIC_PREFIX": prefix,
                "KAFKA_STATISTICS_INTERVAL_SECONDS": "0",
                "JWT_PUBLIC_KEY": key.publicKeyPEM,
                "JWT_KEY_ID": key.keyID,
                "CATALOG_SEED_DEMO": seed ? "true" : "false",
                "LOG_LEVEL": "warning",
            ]
            values.merge(overrides) { _, override in override }
            let settings = values
            let adminToken = try await key.sign(TestSigningKey.claims(role: .admin, userID: "admin-1"))
            let customerToken = try await key.sign(TestSigningKey.claims(role: .customer, userID: "customer-1"))
            do {
                var host = try ServiceHost.testing(settings, openAPIDocument: CatalogService.openAPIDocument)
                try await CatalogService.configure(&host)
                let undocumented = try OpenAPICoverage.undocumented(host.router, document: try #require(CatalogService.openAPIDocument))
                let result = try await host.makeApplication().test(.live) { client in
                    try await body(CatalogHarness(client: client, topicPrefix: prefix, adminToken: adminToken, customerToken: customerToken,
                                        undocumentedRoutes: undocumented))
                }
                await mongo.stop()
                return result
            } catch {
                await mongo.stop()
                throw error
            }
        }
    }

    @discardableResult
    func send(_ method: HTTPRequest.Method, _ path: String, json: [String: any Sendable]? = nil, token: String? = nil,
              headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        var body: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
        }
        return try await client.execute(uri: path, method: method, headers: headers, body: body)
    }

    func get(_ path: String) async throws -> [String: Any] {
        let response = try await send(.get, path)
        guard response.status == .ok else { throw CatalogHarnessError(response: response) }
        return try response.jsonObject()
    }

    /// The product fields of a valid new product in the demo data's categories.
    static func newProduct(sku: String = "TST-\(UUID().uuidString.prefix(6))", name: String = "Test cable 3×2.5 mm², 25 m",
                           price: Int = 3_990) -> [String: any Sendable] {
        ["sku": sku, "name": name, "description": "A cable made for tests.", "categoryIds": [DemoCatalog.products[0].categoryIds[0]],
         "brand": DemoCatalog.products[0].brand ?? DemoCatalog.brands[0].id, "price": ["minorUnits": price, "currency": "EUR"] as [String: any Sendable],
         "attributes": ["length": "25 m"] as [String: any Sendable]]
    }
}

struct CatalogHarnessError: Error, CustomStringConvertible {
    let response: TestResponse
    var description: String { "unexpected \(response.status.code): \(String(buffer: response.body))" }
}
