import BazaarContracts
import BazaarCore
@testable import BazaarInventory
import BazaarKafka
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

    // MARK: Order events, as the order service will publish them

    static func orderLines(_ lines: [(sku: String, quantity: Int)]) -> [OrderLine] {
        lines.map { OrderLine(productId: "p-\($0.sku.lowercased())", sku: $0.sku, name: $0.sku, quantity: $0.quantity,
                              unitPrice: Money(minorUnits: 100, currency: "EUR"), lineTotal: Money(minorUnits: 100 * Int64($0.quantity), currency: "EUR")) }
    }

    static let address = PostalAddress(name: "Ada Lovelace", line1: "1 Analytical Row", city: "London", postalCode: "N1 1AA", country: "GB")

    static func placed(_ orderId: String, _ lines: [(sku: String, quantity: Int)]) -> OrderPlaced {
        let money = Money(minorUnits: 100, currency: "EUR")
        return OrderPlaced(orderId: orderId, userId: "u-1", email: "ada@example.com", lines: orderLines(lines), subtotal: money,
                           shippingCost: money, vatIncluded: money, total: money, shippingAddress: address, placedAt: Date())
    }

    static func confirmed(_ orderId: String, _ lines: [(sku: String, quantity: Int)]) -> OrderConfirmed {
        let money = Money(minorUnits: 100, currency: "EUR")
        return OrderConfirmed(orderId: orderId, userId: "u-1", email: "ada@example.com", lines: orderLines(lines), subtotal: money,
                              shippingCost: money, vatIncluded: money, total: money, shippingAddress: address, paymentId: "pay-\(orderId)", confirmedAt: Date())
    }

    static func cancelled(_ orderId: String, _ lines: [(sku: String, quantity: Int)], reason: CancellationReason = .customerRequest) -> OrderCancelled {
        OrderCancelled(orderId: orderId, userId: "u-1", email: "ada@example.com", reason: reason, lines: orderLines(lines),
                       total: Money(minorUnits: 100, currency: "EUR"), refundDue: false, cancelledAt: Date())
    }

    /// Sets `sku`'s quantity on hand through the admin API.
    func setOnHand(_ sku: String, _ onHand: Int) async throws {
        let current = try await send(.get, "/api/inventory/stock/\(sku)", token: adminToken)
        let etag = try #require(current.headers[.eTag])
        let response = try await send(.put, "/api/inventory/stock/\(sku)", json: ["onHand": onHand, "lowStockThreshold": 0], token: adminToken,
                                      headers: [.ifMatch: etag])
        try #require(response.status == .ok, "\(response.status) \(response.text)")
    }

    /// The saga's answers on the inventory topic (reserved, rejected, released; `stock.low` left
    /// out, which depends on timing here) once there are `count` of them (each test has its own
    /// topic prefix, read from the start).
    func sagaEvents(count: Int) async throws -> [KafkaIncomingMessage] {
        let messages = try await TestKafka.collect([inventoryTopic], until: { Self.saga($0).count >= count }, timeout: .seconds(60))
        return Self.saga(messages)
    }

    static func saga(_ messages: [KafkaIncomingMessage]) -> [KafkaIncomingMessage] {
        let types: Set<String> = [StockReserved.eventType.name, StockRejected.eventType.name, StockReleased.eventType.name]
        return messages.filter { message in
            message.headers.contains { name, value in name == "ce_type" && types.contains(String(decoding: value, as: UTF8.self)) }
        }
    }
}
