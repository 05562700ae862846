import BazaarContracts
import BazaarCore
import BazaarKafka
@testable import BazaarPayment
import BazaarPostgres
import BazaarTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import Testing

/// A running payment service for one test (a ``ServiceHarness`` of its own): a database, its own
/// topic prefix on the dev broker, tokens signed by a test key, and the simulated provider. The
/// test plays the order service by publishing its events on the real broker.
struct PaymentHarness: Sendable {
    let service: ServiceHarness<PaymentService>
    /// The service's database (shared with other replicas when the test passes one).
    let database: Settings
    let adminToken: String
    /// Tokens of customers `u-1` and `u-2`.
    let customerToken: String
    let otherCustomerToken: String

    var client: any TestClientProtocol { service.client }
    var paymentsTopic: String { service.topic("payments") }

    static let webhookSecret = "test-webhook-secret-0123456789"
    static let running = ConcurrencyLimit(3)

    /// Runs `body` against a payment service. `database` and `topicPrefix` let several services
    /// (replicas, or one started after another stopped) share one database and one set of topics.
    @discardableResult
    static func run<Result: Sendable>(_ overrides: [String: String] = [:], database: Settings? = nil, topicPrefix: String? = nil,
                                      _ body: @escaping @Sendable (PaymentHarness) async throws -> Result) async throws -> Result {
        var settings = ["KAFKA_FETCH_WAIT_MAX_MS": "10", "PAYMENT_WEBHOOK_SECRET": webhookSecret, "PAYMENT_POLL_MILLISECONDS": "100",
                        "PAYMENT_RETRY_BACKOFF_MILLISECONDS": "10", "PAYMENT_SIMULATOR_WEBHOOK_DELAY_MILLISECONDS": "200",
                        "PAYMENT_SIMULATOR_WEBHOOK_POLL_MILLISECONDS": "20"]
        if let database, let url = database.optionalString("DATABASE_URL") {
            settings["DATABASE_URL"] = url
            settings["DATABASE_POOL_MAX"] = "4"
        }
        if let topicPrefix { settings["KAFKA_TOPIC_PREFIX"] = topicPrefix }
        settings.merge(overrides) { _, override in override }
        return try await ServiceHarness<PaymentService>.run(needs: ServiceTestNeeds(postgres: database == nil, testTokens: true), settings: settings,
                                                            limit: running) { service in
            let adminToken = try await service.signingKey.sign(TestSigningKey.claims(role: .admin, userID: "admin-1"))
            let customerToken = try await service.signingKey.sign(TestSigningKey.claims(role: .customer, userID: "u-1"))
            let otherToken = try await service.signingKey.sign(TestSigningKey.claims(role: .customer, userID: "u-2"))
            let databaseSettings = try #require(database ?? service.database, "the payment service has a database")
            return try await body(PaymentHarness(service: service, database: databaseSettings, adminToken: adminToken, customerToken: customerToken,
                                                 otherCustomerToken: otherToken))
        }
    }

    @discardableResult
    func send(_ method: HTTPRequest.Method, _ path: String, json: [String: any Sendable]? = nil, raw: String? = nil, token: String? = nil,
              headers: HTTPFields = [:]) async throws -> TestResponse {
        try await service.send(method, path, json: json, raw: raw, token: token, headers: headers)
    }

    // MARK: The order service's events

    static func euro(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: "EUR") }

    static func requested(_ orderId: String, method: String = "tok_visa", amount: Int64 = 2_990, userId: String = "u-1") -> OrderPaymentRequested {
        OrderPaymentRequested(orderId: orderId, userId: userId, amount: euro(amount), paymentMethod: method,
                              payBy: Date().addingTimeInterval(600), requestedAt: Date())
    }

    static let address = PostalAddress(name: "Ada Lovelace", line1: "1 Analytical Row", city: "London", postalCode: "N1 1AA", country: "GB")
    static let lines = [OrderLine(productId: "p-1", sku: "LAMP-1", name: "Desk lamp", quantity: 2, unitPrice: euro(1_250), lineTotal: euro(2_500))]

    static func confirmed(_ orderId: String, paymentId: String, amount: Int64 = 2_990) -> OrderConfirmed {
        OrderConfirmed(orderId: orderId, userId: "u-1", email: "u-1@example.com", lines: lines, subtotal: euro(amount),
                       shippingCost: euro(0), vatIncluded: euro(0), total: euro(amount), shippingAddress: address,
                       paymentId: paymentId, confirmedAt: Date())
    }

    static func cancelled(_ orderId: String, refundDue: Bool, amount: Int64 = 2_990) -> OrderCancelled {
        OrderCancelled(orderId: orderId, userId: "u-1", email: "u-1@example.com", reason: .customerRequest, lines: lines,
                       total: euro(amount), refundDue: refundDue, cancelledAt: Date())
    }

    func publish<Payload: EventPayload>(_ payloads: [Payload], ids: [String]? = nil) async throws {
        try await service.publish(payloads, ids: ids)
    }

    // MARK: Reading the outcome

    /// Order `orderId`'s payment as an administrator sees it, or nil while there is none.
    func payment(order orderId: String) async throws -> [String: Any]? {
        let response = try await send(.get, "/api/payments/all?orderId=\(orderId)", token: adminToken)
        try #require(response.status == .ok, "\(response.status) \(response.text)")
        let items = try response.jsonObject()["items"] as? [[String: Any]] ?? []
        guard let id = items.first?["id"] as? String else { return nil }
        let shown = try await send(.get, "/api/payments/\(id)", token: adminToken)
        try #require(shown.status == .ok, "\(shown.status) \(shown.text)")
        return try shown.jsonObject()
    }

    /// Waits until order `orderId`'s payment has `status`, and returns it.
    @discardableResult
    func waitForPayment(order orderId: String, status: String) async throws -> [String: Any] {
        try await eventuallyValue("the payment of \(orderId) is \(status)") {
            let payment = try await payment(order: orderId)
            return payment?["status"] as? String == status ? payment : nil
        }
    }

    /// The first `Int` of `query`'s single row (counts, sums).
    func number(_ query: PostgresQuery) async throws -> Int {
        try await TestDatabase.withStore(database) { store in
            try await store.withConnection { connection in
                let rows = try await connection.query(query, logger: store.logger)
                for try await value in rows.decode(Int.self) { return value }
                return 0
            }
        }
    }

    /// Runs a statement on the service's database (to break something on purpose).
    func execute(_ query: PostgresQuery) async throws {
        try await TestDatabase.execute(query, in: database)
    }

    /// Events of `type` about `orderId` the service wrote (to its outbox: every event it ever announced).
    func announced(_ type: String, order orderId: String) async throws -> Int {
        try await number("SELECT count(*)::int FROM outbox WHERE event_type = \(type) AND message_key = \(orderId)")
    }

    /// How often the simulated provider was called for order `orderId`'s charge, and how many charges it made.
    func providerCharges(order orderId: String) async throws -> (calls: Int, charges: Int) {
        let calls = try await number("SELECT coalesce(sum(calls), 0)::int FROM payment_simulator.operations WHERE kind = 'charge' AND order_id = \(orderId)")
        let charges = try await number("""
            SELECT count(*)::int FROM payment_simulator.operations WHERE kind = 'charge' AND outcome = 'succeeded' AND order_id = \(orderId)
            """)
        return (calls, charges)
    }

    /// The payments topic's events once `done` holds for them.
    func published(until done: @escaping @Sendable ([KafkaIncomingMessage]) -> Bool) async throws -> [KafkaIncomingMessage] {
        try await TestKafka.collect([paymentsTopic], until: done, timeout: .seconds(60))
    }

    /// The reconciliation report as an administrator gets it.
    func reconciliation() async throws -> [String: Any] {
        let response = try await send(.get, "/api/payments/reconciliation", token: adminToken)
        try #require(response.status == .ok, "\(response.status) \(response.text)")
        return try response.jsonObject()
    }
}
