public import BazaarCore
public import BazaarServiceDirectory
import BazaarMessaging
import BazaarPostgres
import BazaarPostgresMessaging
public import Foundation
import Logging

/// The payment service: one payment per order, charged once through a provider, signed
/// webhooks, refunds, an append-only ledger and its reconciliation.
public enum PaymentService: BazaarService {
    /// Name, default port, executable and database: written once, in `ServiceDirectory`.
    public static let listing = ServiceDirectory.payment

    public static var openAPIDocument: URL? { Bundle.module.url(forResource: "openapi", withExtension: "json") }

    /// Adds the payment store, the consumer of order events, the worker that talks to the
    /// provider, the outbox relay, the simulated provider's webhook sender and the routes.
    public nonisolated(nonsending) static func configure(_ host: inout ServiceHost) async throws {
        let signature = try WebhookSignature.load(from: host.settings)
        let processing = try processingSettings(host.settings)
        let database = try host.addPostgres(migrations: try migrations())
        let bus = try host.addEventBus()
        let outbox = host.publishEvents(bus, from: database)
        try host.followAccountChanges(bus.settings)
        let provider = try makeProvider(&host, database: database, signature: signature)
        let book = PaymentBook(store: PaymentStore(logger: host.logger), outbox: outbox, metrics: PaymentMetrics(factory: host.metrics.factory))
        try host.consumeEvents(bus, store: database, group: host.settings.string("PAYMENT_CONSUMER_GROUP", default: "payment"),
                               handlers: OrderHandlers(book: book).handlers, batching: .perPartition)
        let processor = PaymentProcessor(database: database, book: book, provider: provider, settings: processing, logger: host.logger)
        host.addBackgroundWork(processor)
        PaymentRoutes(database: database, book: book, processor: processor).add(to: host.router)
        WebhookRoute(database: database, book: book, provider: provider, signature: signature).add(to: host.router)
    }

    /// `bazaar-payment reconcile`: prints every order whose money does not match its state and
    /// exits with status 1 when there is one.
    public static let commands = [
        ServiceCommand(name: "reconcile", summary: "list orders whose captured − refunded money does not match their state; exit status 1 on any") { settings in
            try await reconcile(settings: settings)
        },
    ]

    /// Runs `bazaar-payment reconcile` against `DATABASE_URL`: the report when every order's
    /// money matches; throws ``ReconciliationFailed`` (its description is the report) otherwise.
    public static func reconcile(settings: Settings = Settings()) async throws -> String {
        let logger = {
            var logger = Logger(label: "bazaar-payment-reconcile")
            logger.logLevel = .error
            return logger
        }()
        let report = try await PostgresStore.withStore(settings, logger: logger) { store in
            try await store.withConnection { try await PaymentReconciler(store: PaymentStore(logger: logger)).report(on: $0) }
        }
        guard report.isClean else { throw ReconciliationFailed(description: report.text) }
        return report.text
    }

    /// Reconciliation found orders whose money does not match their state.
    public struct ReconciliationFailed: Error, CustomStringConvertible {
        public let description: String
    }

    /// The service's schema migrations and the shared outbox and inbox tables.
    static func migrations() throws -> [Migration] {
        try Migration.bundled(in: .module) + MessagingMigrations.all
    }

    static func processingSettings(_ settings: Settings) throws -> ProcessingSettings {
        var processing = ProcessingSettings()
        processing.maximumAttempts = try settings.int("PAYMENT_MAX_ATTEMPTS", default: 4, range: 1...20)
        processing.initialBackoff = .milliseconds(try settings.int("PAYMENT_RETRY_BACKOFF_MILLISECONDS", default: 500, range: 1...60_000))
        processing.lease = .seconds(try settings.int("PAYMENT_LEASE_SECONDS", default: 30, range: 1...3600))
        processing.pollInterval = .milliseconds(try settings.int("PAYMENT_POLL_MILLISECONDS", default: 1000, range: 10...60_000))
        return processing
    }

    /// The provider `PAYMENT_PROVIDER` names; `simulated` (the default) is the one this build has.
    static func makeProvider(_ host: inout ServiceHost, database: PostgresStore, signature: WebhookSignature) throws -> any PaymentProvider {
        let name = host.settings.string("PAYMENT_PROVIDER", default: "simulated")
        guard name == "simulated" else {
            throw ConfigurationError(variable: "PAYMENT_PROVIDER",
                                     problem: "\(name) is not available in this build; `simulated` is (see Services/Payment/README.md for adding Stripe)")
        }
        let delay = Duration.milliseconds(try host.settings.int("PAYMENT_SIMULATOR_WEBHOOK_DELAY_MILLISECONDS", default: 2000, range: 0...3_600_000))
        let configuredURL = try host.settings.optionalURL("PAYMENT_SIMULATOR_WEBHOOK_URL", schemes: ["http", "https"])
        let port = host.listeningPort
        let fallbackPort = host.http.port
        host.addBackgroundWork(SimulatorWebhookSender(
            database: database, signature: signature,
            target: { configuredURL?.absoluteString ?? "http://127.0.0.1:\(port.current ?? fallbackPort)/api/payments/webhook" },
            interval: .milliseconds(try host.settings.int("PAYMENT_SIMULATOR_WEBHOOK_POLL_MILLISECONDS", default: 100, range: 10...60_000)),
            logger: host.logger))
        return SimulatedProvider(database: database, webhookDelay: delay,
                                 stallAfterCharge: try host.settings.bool("PAYMENT_SIMULATOR_STALL_AFTER_CHARGE", default: false), logger: host.logger)
    }
}
