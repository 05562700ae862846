public import BazaarCore
public import BazaarServiceDirectory
import BazaarMail
import BazaarMessaging
import BazaarPostgresMessaging
import BazaarPostgres
public import Foundation

/// The notification service: emails from events, the delivery log, the user's feed.
public enum NotificationService: BazaarService {
    /// Name, default port, executable and databases: written once, in `ServiceDirectory`.
    public static let listing = ServiceDirectory.notification

    public static var openAPIDocument: URL? { Bundle.module.url(forResource: "openapi", withExtension: "json") }

    /// Adds the service's store, consumer, delivery worker and routes to `host`.
    public nonisolated(nonsending) static func configure(_ host: inout ServiceHost) async throws {
        let smtp = SMTPClient(settings: try SMTPSettings.from(host.settings), logger: host.logger)
        let delivery = DeliverySettings(
            pollInterval: .milliseconds(try host.settings.int("DELIVERY_POLL_MILLISECONDS", default: 500, range: 10...60_000)),
            maximumAttempts: try host.settings.int("DELIVERY_MAX_ATTEMPTS", default: 12, range: 1...100),
            retryBase: try host.settings.seconds("DELIVERY_RETRY_BASE_SECONDS", default: .seconds(5))
        )
        let resetLinkBase = host.settings.string("RESET_LINK_BASE", default: "http://localhost:8080/reset-password")
        let database = try host.addPostgres(migrations: try migrations())
        // Consumes events and publishes none: no outbox, no relay.
        let bus = try host.addEventBus()
        try host.followAccountChanges(bus.settings)
        let store = NotificationStore(logger: host.logger)
        let handlers = NotificationHandlers(store: store, renderer: try await TemplateRenderer.bundled(), resetLinkBase: resetLinkBase,
                                            sealer: try SecretSealer.load(from: host.settings))
        try host.consumeEvents(bus, store: database, group: host.settings.string("NOTIFICATION_CONSUMER_GROUP", default: "notification"),
                               handlers: handlers.handlers, batching: .perPartition)
        let mailHealth = MailServerHealth()
        host.addHealthCheck(mailHealth)
        host.addBackgroundWork(DeliveryWorker(database: database, store: store, smtp: smtp, settings: delivery, health: mailHealth,
                                       metricsFactory: host.metrics.factory, logger: host.logger))
        let live = LiveEvents(standings: host.accountStandings,
                              streamsPerUser: try host.settings.int("NOTIFICATION_STREAMS_PER_USER", default: 5, range: 1...10_000))
        host.accountStandings.onChange { userID in live.accountChanged(userID: userID) }
        host.addService(try LiveEventConsumer.follower(settings: bus.settings, serviceName: name, live: live, logger: host.logger,
                                                       metricsFactory: host.metrics.factory))
        let group = host.router.group("/api/notifications")
        NotificationRoutes(database: database, store: store).add(to: group)
        StreamRoute(live: live, heartbeat: try host.settings.seconds("NOTIFICATION_STREAM_HEARTBEAT_SECONDS", default: .seconds(15)),
                    database: database, store: store,
                    ticketLifetime: try host.settings.seconds("NOTIFICATION_STREAM_TICKET_SECONDS", default: .seconds(60)),
                    ticketsPerUser: try host.settings.int("NOTIFICATION_STREAM_TICKETS_PER_USER", default: 5, range: 1...10_000)).add(to: group)
    }

    static func migrations() throws -> [Migration] {
        try Migration.bundled(in: .module) + MessagingMigrations.inbox
    }
}
