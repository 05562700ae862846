import BazaarContracts
import BazaarCore
import BazaarKafka
import BazaarMessaging
@testable import BazaarNotification
import BazaarTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// A running notification service for one test (a ``ServiceHarness`` of its own): a fresh
/// database, its own topic prefix, its own SMTP sink, and tokens signed by a test key.
struct NotificationHarness: Sendable {
    let service: ServiceHarness<NotificationService>
    /// The service's own database (`DATABASE_URL`), for checks of what it stored.
    let database: Settings
    let sink: MailSink

    var client: any TestClientProtocol { service.client }
    var topicPrefix: String { service.topicPrefix }
    var key: TestSigningKey { service.signingKey }
    /// Routes the service serves that its OpenAPI document does not describe (see ``OpenAPICoverage``).
    var undocumentedRoutes: [String] { service.undocumentedRoutes }
    var baseURL: String { service.baseURL }

    static let running = ConcurrencyLimit(3)

    @discardableResult
    static func run<Result: Sendable>(_ overrides: [String: String] = [:], rejectDomains: [String] = [],
                                      _ body: @escaping @Sendable (NotificationHarness) async throws -> Result) async throws -> Result {
        var settings: [String: String] = [
            "KAFKA_FETCH_WAIT_MAX_MS": "10",
            "DELIVERY_POLL_MILLISECONDS": "100",
            "DELIVERY_RETRY_BASE_SECONDS": "1",
            "EVENT_SEALING_KEY": TestSealingKey.text,
        ]
        settings.merge(overrides) { _, override in override }
        let needs = ServiceTestNeeds(postgres: true, mailSink: true, rejectedMailDomains: rejectDomains, testTokens: true)
        return try await ServiceHarness<NotificationService>.run(needs: needs, settings: settings, limit: running) { service in
            let database = try #require(service.database)
            let sink = try #require(service.mailSink)
            return try await body(NotificationHarness(service: service, database: database, sink: sink))
        }
    }

    /// Publishes `events` to their topics (with this harness's prefix), as the other services would.
    func publish<Payload: EventPayload>(_ payloads: [Payload], ids: [String]? = nil) async throws {
        try await service.publish(payloads, ids: ids)
    }

    func token(for userID: String, role: Role = .customer) async throws -> String {
        try await key.sign(TestSigningKey.claims(role: role, userID: userID))
    }

    func get(_ path: String, token: String) async throws -> TestResponse {
        try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(token)"])
    }
}

/// Example events for one customer.
enum Samples {
    static func registered(_ userID: String = "u-\(UUID().uuidString.prefix(6).lowercased())", email: String? = nil, name: String = "Ada Lovelace",
                           role: String = "customer") -> UserRegistered {
        UserRegistered(userId: userID, email: email ?? "\(userID)@example.com", name: name, role: role, registeredAt: Date())
    }

    /// A reset request whose token is sealed with the shared test key, as the user service does.
    static func resetRequested(_ userID: String, email: String, token: String) throws -> UserPasswordResetRequested {
        var event = UserPasswordResetRequested(userId: userID, email: email, name: "Ada", sealedResetToken: "",
                                               expiresAt: Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 1800).rounded(.down)))
        event.sealedResetToken = try TestSealingKey.sealer.seal(token, context: event.sealingContext)
        return event
    }

    static let address = PostalAddress(name: "Ada Lovelace", line1: "12 Market Street", city: "London", postalCode: "EC1A 1BB", country: "GB")
    static let lines = [
        OrderLine(productId: "p-1", sku: "CBL-1", name: "Installation cable 3×1.5 mm², 50 m", quantity: 2,
                  unitPrice: Money(minorUnits: 4_990, currency: "EUR"), lineTotal: Money(minorUnits: 9_980, currency: "EUR")),
    ]
}
