import BazaarCommerce
import BazaarContracts
import BazaarCore
import BazaarKafka
@testable import BazaarOrder
import BazaarTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// A running order service for one test (a ``ServiceHarness`` of its own): a fresh database, its
/// own topic prefix on the dev broker, and tokens signed by a test key. The test plays the other
/// services of the saga by publishing their events on the real broker.
struct OrderHarness: Sendable {
    let service: ServiceHarness<OrderService>
    let adminToken: String
    /// Tokens of customers `u-1` and `u-2`.
    let customerToken: String
    let otherCustomerToken: String

    var client: any TestClientProtocol { service.client }
    var ordersTopic: String { service.topic("orders") }

    static let running = ConcurrencyLimit(3)

    @discardableResult
    static func run<Result: Sendable>(_ overrides: [String: String] = [:],
                                      _ body: @escaping @Sendable (OrderHarness) async throws -> Result) async throws -> Result {
        var settings = ["KAFKA_FETCH_WAIT_MAX_MS": "10", "ORDER_DEADLINE_SWEEP_MILLISECONDS": "50"]
        settings.merge(overrides) { _, override in override }
        return try await ServiceHarness<OrderService>.run(needs: ServiceTestNeeds(postgres: true, testTokens: true), settings: settings,
                                                          limit: running) { service in
            let adminToken = try await service.signingKey.sign(TestSigningKey.claims(role: .admin, userID: "admin-1"))
            let customerToken = try await service.signingKey.sign(TestSigningKey.claims(role: .customer, userID: "u-1"))
            let otherToken = try await service.signingKey.sign(TestSigningKey.claims(role: .customer, userID: "u-2"))
            return try await body(OrderHarness(service: service, adminToken: adminToken, customerToken: customerToken, otherCustomerToken: otherToken))
        }
    }

    @discardableResult
    func send(_ method: HTTPRequest.Method, _ path: String, json: [String: any Sendable]? = nil, token: String? = nil) async throws -> TestResponse {
        try await service.send(method, path, json: json, token: token)
    }

    /// The order as its owner (or `token`'s holder) sees it, or nil when the service answers 404.
    func order(_ id: String, token: String? = nil) async throws -> [String: Any]? {
        let response = try await send(.get, "/api/orders/\(id)", token: token ?? adminToken)
        if response.status == .notFound { return nil }
        try #require(response.status == .ok, "\(response.status) \(response.text)")
        return try response.jsonObject()
    }

    /// Waits until order `id` has `status`, and returns it.
    @discardableResult
    func waitFor(_ id: String, status: String) async throws -> [String: Any] {
        try await eventuallyValue("order \(id) is \(status)") {
            let order = try await order(id)
            return order?["status"] as? String == status ? order : nil
        }
    }

    /// The order service's events on its topic once `done` holds for them (read from the start: the topic is this test's own).
    func published(until done: @escaping @Sendable ([KafkaIncomingMessage]) -> Bool) async throws -> [KafkaIncomingMessage] {
        try await TestKafka.collect([ordersTopic], until: done, timeout: .seconds(60))
    }

    /// The events of `type` about `orderId` once there are `count` of them.
    func published<Payload: EventPayload>(_ type: Payload.Type, order orderId: String, count: Int = 1) async throws -> [CloudEvent<Payload>] {
        let messages = try await published { messages in
            ((try? events(type, in: messages)) ?? []).filter { $0.subject == orderId }.count >= count
        }
        return try events(type, in: messages).filter { $0.subject == orderId }
    }

    // MARK: The other services' events

    static func euro(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: "EUR") }

    static let address = PostalAddress(name: "Ada Lovelace", line1: "1 Analytical Row", city: "London", postalCode: "N1 1AA", country: "GB")

    /// A checkout of `quantity` × 12.50 by `userId`, priced by the shop's rules (`total` overrides the total).
    static func checkout(_ orderId: String, userId: String = "u-1", quantity: Int = 2, total: Int64? = nil) -> CartCheckedOut {
        let lines = [OrderLine(productId: "p-1", sku: "LAMP-1", name: "Desk lamp", quantity: quantity, unitPrice: euro(1_250),
                               lineTotal: euro(1_250 * Int64(quantity)))]
        let quote = try! PricingRules.standard.quote(lines.map { PricedLine(unitPrice: $0.unitPrice, quantity: $0.quantity) })
        return CartCheckedOut(orderId: orderId, cartId: "cart-\(orderId)", checkoutId: "key-\(orderId)", userId: userId, email: "\(userId)@example.com",
                              lines: lines, subtotal: quote.subtotal, shippingCost: quote.shipping, vatIncluded: quote.vatIncluded,
                              total: total.map(euro) ?? quote.total, shippingAddress: address, paymentMethod: "tok_visa", checkedOutAt: Date())
    }

    static func reserved(_ orderId: String) -> StockReserved {
        StockReserved(orderId: orderId, reservationId: "r-\(orderId)", lines: [StockLine(sku: "LAMP-1", quantity: 2)],
                      expiresAt: Date().addingTimeInterval(900), reservedAt: Date())
    }

    static func rejected(_ orderId: String) -> StockRejected {
        StockRejected(orderId: orderId, shortages: [StockShortage(sku: "LAMP-1", requested: 2, available: 0)], rejectedAt: Date())
    }

    static func released(_ orderId: String, reason: StockReleased.Reason) -> StockReleased {
        StockReleased(orderId: orderId, reservationId: "r-\(orderId)", lines: [StockLine(sku: "LAMP-1", quantity: 2)], reason: reason, releasedAt: Date())
    }

    static func authorized(_ orderId: String, amount: Int64 = 2_990, paymentId: String? = nil) -> PaymentAuthorized {
        PaymentAuthorized(paymentId: paymentId ?? "pay-\(orderId)", orderId: orderId, userId: "u-1", amount: euro(amount), authorizedAt: Date())
    }

    static func failed(_ orderId: String) -> PaymentFailed {
        PaymentFailed(paymentId: "pay-\(orderId)", orderId: orderId, userId: "u-1", amount: euro(2_990), reasonCode: "card_declined",
                      message: "The card was declined.", failedAt: Date())
    }

    static func refunded(_ orderId: String, refundId: String, amount: Int64 = 2_990) -> PaymentRefunded {
        PaymentRefunded(paymentId: "pay-\(orderId)", refundId: refundId, orderId: orderId, userId: "u-1", amount: euro(amount), refundedAt: Date())
    }
}
