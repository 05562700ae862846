public import BazaarCore
public import BazaarServiceDirectory
import BazaarCommerce
import BazaarMessaging
import BazaarPostgres
import BazaarPostgresMessaging
public import Foundation

/// The order service: orders and the order saga, from a checked-out cart to delivery.
public enum OrderService: BazaarService {
    /// Name, default port, executable and database: written once, in `ServiceDirectory`.
    public static let listing = ServiceDirectory.order

    public static var openAPIDocument: URL? { Bundle.module.url(forResource: "openapi", withExtension: "json") }

    /// Adds the order store, the saga's consumer, the outbox relay, the payment-deadline sweep and the routes to `host`.
    public nonisolated(nonsending) static func configure(_ host: inout ServiceHost) async throws {
        let paymentTimeout = Duration.seconds(try host.settings.int("ORDER_PAYMENT_TIMEOUT_SECONDS", default: 600, range: 1...7 * 86_400))
        let sweepInterval = Duration.milliseconds(try host.settings.int("ORDER_DEADLINE_SWEEP_MILLISECONDS", default: 1000, range: 10...600_000))
        let database = try host.addPostgres(migrations: try migrations())
        let bus = try host.addEventBus()
        let outbox = host.publishEvents(bus, from: database)
        try host.followAccountChanges(bus.settings)
        let saga = OrderSaga(store: OrderStore(logger: host.logger), announcer: OrderAnnouncer(outbox: outbox),
                             metrics: OrderMetrics(factory: host.metrics.factory), rules: .standard, paymentTimeout: paymentTimeout)
        try host.consumeEvents(bus, store: database, group: host.settings.string("ORDER_CONSUMER_GROUP", default: "order"),
                               handlers: SagaHandlers(saga: saga).handlers, batching: .perPartition)
        host.addBackgroundWork(PaymentDeadlines(database: database, saga: saga, interval: sweepInterval, logger: host.logger))
        OrderRoutes(database: database, saga: saga).add(to: host.router)
    }

    /// The service's schema migrations and the shared outbox and inbox tables.
    static func migrations() throws -> [Migration] {
        try Migration.bundled(in: .module) + MessagingMigrations.all
    }
}
