@testable import BazaarCart
import BazaarContracts
import BazaarCore
import BazaarKafka
import BazaarRedis
import BazaarTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// A running cart service for one test (a ``ServiceHarness`` of its own) on a cart store of the
/// test's own — a redis-server run as the cart store is (AOF `appendfsync always`,
/// `noeviction`) — with its own topic prefix on the dev broker and tokens signed by a test key.
struct CartHarness: Sendable {
    let service: ServiceHarness<CartService>
    let store: PrivateRedis
    /// A client of the cart store, to look at what the service wrote.
    let redis: RedisClient

    var undocumentedRoutes: [String] { service.undocumentedRoutes }
    /// The carts topic: under the harness's prefix, or the `KAFKA_TOPIC_PREFIX` the test gave.
    var cartsTopic: String { (service.settings["KAFKA_TOPIC_PREFIX"] ?? service.topicPrefix) + "carts" }

    static let running = ConcurrencyLimit(3)

    /// Runs `body` against a cart service on a new store (removed afterwards).
    @discardableResult
    static func run<Result: Sendable>(_ overrides: [String: String] = [:],
                                      _ body: @escaping @Sendable (CartHarness) async throws -> Result) async throws -> Result {
        try await running.run {
            let store = try await PrivateRedis.launch(durable: true)
            do {
                let result = try await serve(on: store, overrides, body)
                await store.remove()
                return result
            } catch {
                await store.remove()
                throw error
            }
        }
    }

    /// Runs `body` against a cart service on `store` (which the caller stops).
    @discardableResult
    static func serve<Result: Sendable>(on store: PrivateRedis, _ overrides: [String: String] = [:],
                                        _ body: @escaping @Sendable (CartHarness) async throws -> Result) async throws -> Result {
        var settings = ["KAFKA_FETCH_WAIT_MAX_MS": "10", "REDIS_URL": store.url, "REDIS_POOL_SIZE": "4"]
        settings.merge(overrides) { _, override in override }
        return try await ServiceHarness<CartService>.run(needs: ServiceTestNeeds(testTokens: true), settings: settings) { service in
            let redis = RedisClient(configuration: try RedisConfiguration(url: store.url))
            do {
                let result = try await body(CartHarness(service: service, store: store, redis: redis))
                await redis.shutdown()
                return result
            } catch {
                await redis.shutdown()
                throw error
            }
        }
    }

    /// A signed-in customer's access token.
    func token(user: String = "shopper-1") async throws -> String {
        try await service.signingKey.sign(TestSigningKey.claims(role: .customer, userID: user))
    }

    @discardableResult
    func send(_ method: HTTPRequest.Method, _ path: String, json: [String: any Sendable]? = nil, raw: String? = nil, token: String? = nil,
              cartToken: String? = nil, headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        if let cartToken { headers[CartRoutes.cartTokenHeader] = cartToken }
        return try await service.send(method, path, json: json, raw: raw, token: token, headers: headers)
    }

    /// Announces products as the catalog would and waits until the projection holds each version.
    func announce(_ products: [ProductSnapshot]) async throws {
        try await service.publish(products.map { ProductUpdated(product: $0, occurredAt: Date()) })
        try await waitForProjection(products)
    }

    /// Waits until the projection holds `products`' versions.
    func waitForProjection(_ products: [ProductSnapshot]) async throws {
        for product in products {
            try await eventually("the cart knows \(product.productId) at version \(product.version)") {
                try await ProductProjection(redis: redis).product(product.productId)?.version == product.version
            }
        }
    }

    static func product(_ id: String = "p-\(UUID().uuidString.prefix(8).lowercased())", price: Int64 = 1_000, version: Int = 1,
                        active: Bool = true) -> ProductSnapshot {
        ProductSnapshot(productId: id, sku: "SKU-\(id.uppercased())", slug: id, name: "Test product \(id)", imageUrl: "https://img.test/\(id).jpg",
                        brandId: nil, categoryIds: [], price: Money(minorUnits: price, currency: "EUR"), compareAtPrice: nil, active: active,
                        version: version)
    }

    static let address: [String: any Sendable] = ["name": "Ada Lovelace", "line1": "1 Analytical Row", "city": "London", "postalCode": "N1 1AA",
                                                  "country": "gb"]

    static func checkoutBody(total: Int64, paymentMethod: String = "tok_visa") -> [String: any Sendable] {
        ["shippingAddress": address, "paymentMethod": paymentMethod, "expectedTotal": ["minorUnits": total, "currency": "EUR"] as [String: any Sendable]]
    }

    /// The `cart.checked_out` events on this harness's carts topic once `until` holds for them.
    func checkedOut(until done: @escaping @Sendable ([CloudEvent<CartCheckedOut>]) -> Bool, brokers: [String]? = nil) async throws -> [CloudEvent<CartCheckedOut>] {
        // A message that does not decode fails the test below, once collected.
        let messages = try await TestKafka.collect([cartsTopic], until: { done((try? events(CartCheckedOut.self, in: $0)) ?? []) },
                                                   timeout: .seconds(60), brokers: brokers)
        return try events(CartCheckedOut.self, in: messages)
    }
}

extension TestResponse {
    /// The cart in a cart response.
    func cart() throws -> [String: Any] {
        try #require(status == .ok, "\(status) \(text)")
        return try jsonObject()
    }
}

extension Dictionary where Key == String, Value == Any {
    var lines: [[String: Any]] { self["lines"] as? [[String: Any]] ?? [] }
    func minor(_ key: String) -> Int? { (self[key] as? [String: Any])?["minorUnits"] as? Int }
}
