public import BazaarCore
public import BazaarServiceDirectory
import BazaarMessaging
import BazaarPostgresMessaging
import BazaarPostgres
public import Foundation

/// The inventory service: stock per SKU learned from the catalog, its administration and
/// ledger, public availability, low-stock alerts, and the order saga's reservations.
public enum InventoryService: BazaarService {
    /// Name, default port, executable and databases: written once, in `ServiceDirectory`.
    public static let listing = ServiceDirectory.inventory

    public static var openAPIDocument: URL? { Bundle.module.url(forResource: "openapi", withExtension: "json") }

    /// Adds the service's store, consumer (catalog and order events), relay, expiry sweep and routes to `host`.
    public nonisolated(nonsending) static func configure(_ host: inout ServiceHost) async throws {
        // The local demo gives every SKU the demo catalog announces a starting quantity; elsewhere
        // a new SKU starts at zero until its shelf is counted.
        let demoStock = try host.settings.bool("INVENTORY_DEMO_STOCK", default: false)
        let database = try host.addPostgres(migrations: try migrations())
        let bus = try host.addEventBus()
        let outbox = host.publishEvents(bus, from: database)
        try host.followAccountChanges(bus.settings)
        let holdFor = Duration.seconds(try host.settings.int("RESERVATION_TTL_SECONDS", default: 900, range: 1...604_800))
        let sweepInterval = Duration.milliseconds(try host.settings.int("RESERVATION_SWEEP_MILLISECONDS", default: 1000, range: 10...600_000))
        let stock = StockStore(logger: host.logger)
        let reservations = ReservationStore(logger: host.logger)
        let events = InventoryEvents(outbox: outbox)
        let book = ReservationBook(stock: stock, reservations: reservations, events: events, holdFor: holdFor)
        let startingQuantity: @Sendable (String) -> Int
        if demoStock {
            startingQuantity = { sku in DemoStock.quantity(for: sku) }
        } else {
            startingQuantity = { _ in 0 }
        }
        let catalog = CatalogHandlers(stock: stock, startingQuantity: startingQuantity)
        var handlers = catalog.handlers
        OrderHandlers(book: book).add(to: &handlers)
        // One event per transaction (no batching): a reservation locks stock rows that orders on
        // other partitions lock too, so batches of two partitions could deadlock. Batches that
        // first lock all their rows in one order were tried (2026-12-07): they serialised on those
        // locks and gained nothing in the saga benchmark (59–61 against 57 orders/s).
        try host.consumeEvents(bus, store: database, group: host.settings.string("INVENTORY_CONSUMER_GROUP", default: "inventory"),
                               handlers: handlers)
        host.addBackgroundWork(ReservationExpiry(database: database, book: book, reservations: reservations, interval: sweepInterval,
                                                 logger: host.logger))
        let inventory = host.router.group("/api/inventory")
        StockRoutes(database: database, stock: stock, reservations: reservations, events: events).add(to: inventory)
        AvailabilityRoute(database: database, stock: stock).add(to: inventory)
    }

    /// The service's schema migrations and the shared outbox and inbox tables.
    static func migrations() throws -> [Migration] {
        try Migration.bundled(in: .module) + MessagingMigrations.all
    }
}
