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

/// A running catalog service for one test (a ``ServiceHarness`` of its own): a MongoDB-wire
/// server of its own (SecantusDB is one single-threaded Python process: sharing one between
/// parallel catalog tests made single requests wait over 20 s on a loaded machine), its own cache
/// prefix on the test Redis, its own topic prefix on the dev broker, and tokens signed by a test
/// key (admin and customer).
struct CatalogHarness: Sendable {
    let service: ServiceHarness<CatalogService>
    let adminToken: String
    let customerToken: String

    var client: any TestClientProtocol { service.client }
    var topicPrefix: String { service.topicPrefix }
    /// Routes the service serves that its OpenAPI document does not describe (see ``OpenAPICoverage``).
    var undocumentedRoutes: [String] { service.undocumentedRoutes }
    var catalogTopic: String { service.topic("catalog") }

    /// Two at a time, one per core: each runs its own MongoDB-wire server and loads the demo catalog.
    static let running = ConcurrencyLimit(2)

    @discardableResult
    static func run<Result: Sendable>(seed: Bool = true, _ overrides: [String: String] = [:],
                                      _ body: @escaping @Sendable (CatalogHarness) async throws -> Result) async throws -> Result {
        var settings: [String: String] = [
            "CATALOG_CACHE_PREFIX": "test-catalog-\(UUID().uuidString.prefix(8))",
            "CATALOG_SEED_DEMO": seed ? "true" : "false",
        ]
        settings.merge(overrides) { _, override in override }
        return try await ServiceHarness<CatalogService>.run(needs: ServiceTestNeeds(mongoDatabase: "catalog", redis: true, testTokens: true),
                                                            settings: settings, limit: running) { service in
            let adminToken = try await service.signingKey.sign(TestSigningKey.claims(role: .admin, userID: "admin-1"))
            let customerToken = try await service.signingKey.sign(TestSigningKey.claims(role: .customer, userID: "customer-1"))
            return try await body(CatalogHarness(service: service, adminToken: adminToken, customerToken: customerToken))
        }
    }

    @discardableResult
    func send(_ method: HTTPRequest.Method, _ path: String, json: [String: any Sendable]? = nil, token: String? = nil,
              headers extra: HTTPFields = [:]) async throws -> TestResponse {
        try await service.send(method, path, json: json, token: token, headers: extra)
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
