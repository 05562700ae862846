import BazaarContracts
import BazaarCore
@testable import BazaarInventory
import BazaarTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import Testing

/// A running inventory service for one test (a ``ServiceHarness`` of its own): a fresh
/// database, its own topic prefix on the dev broker, and tokens signed by a test key.
struct InventoryHarness: Sendable {
    let service: ServiceHarness<InventoryService>
    let adminToken: String
    let customerToken: String

    var client: any TestClientProtocol { service.client }
    var undocumentedRoutes: [String] { service.undocumentedRoutes }
    var inventoryTopic: String { service.topic("inventory") }

    static let running = ConcurrencyLimit(3)

    @discardableResult
    static func run<Result: Sendable>(_ overrides: [String: String] = [:],
                                      _ body: @escaping @Sendable (InventoryHarness) async throws -> Result) async throws -> Result {
        var settings = ["KAFKA_FETCH_WAIT_MAX_MS": "10"]
        settings.merge(overrides) { _, override in override }
        return try await ServiceHarness<InventoryService>.run(needs: ServiceTestNeeds(postgres: true, testTokens: true), settings: settings,
                                                              limit: running) { service in
            let adminToken = try await service.signingKey.sign(TestSigningKey.claims(role: .admin, userID: "admin-1"))
            let customerToken = try await service.signingKey.sign(TestSigningKey.claims(role: .customer, userID: "customer-1"))
            return try await body(InventoryHarness(service: service, adminToken: adminToken, customerToken: customerToken))
        }
    }

    @discardableResult
    func send(_ method: HTTPRequest.Method, _ path: String, json: [String: any Sendable]? = nil, raw: String? = nil, token: String? = nil,
              headers: HTTPFields = [:]) async throws -> TestResponse {
        try await service.send(method, path, json: json, raw: raw, token: token, headers: headers)
    }

    /// Announces products as the catalog would and waits until the inventory knows every SKU.
    func learn(_ products: [ProductSnapshot]) async throws {
        try await service.publish(products.map { ProductCreated(product: $0, occurredAt: Date()) })
        for product in products {
            try await eventually("the inventory knows \(product.sku)") {
                try await send(.get, "/api/inventory/stock/\(product.sku)", token: adminToken).status == .ok
            }
        }
    }

    /// Whether the service's consumer has applied (recorded in its inbox) the event `id`.
    func processed(eventID id: String) async throws -> Bool {
        let database = try #require(service.database)
        return try await TestDatabase.withStore(database) { store in
            try await store.withConnection { connection in
                let rows = try await connection.query("SELECT count(*) FROM inbox WHERE event_id = \(id)", logger: store.logger)
                for try await count in rows.decode(Int.self) { return count == 1 }
                return false
            }
        }
    }

    /// The stock of `sku` as the admin API shows it.
    func stock(_ sku: String) async throws -> [String: Any] {
        let response = try await send(.get, "/api/inventory/stock/\(sku)", token: adminToken)
        try #require(response.status == .ok, "\(response.status) \(response.text)")
        return try response.jsonObject()
    }

    static func product(sku: String = "TST-\(UUID().uuidString.prefix(8))", id: String? = nil, version: Int = 1) -> ProductSnapshot {
        ProductSnapshot(productId: id ?? "p-\(sku.lowercased())", sku: sku, slug: sku.lowercased(), name: "Test product \(sku)", brandId: nil,
                        categoryIds: [], price: Money(minorUnits: 1_000, currency: "EUR"), compareAtPrice: nil, active: true, version: version)
    }
}
