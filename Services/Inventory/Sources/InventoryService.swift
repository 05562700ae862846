public import BazaarCore
public import BazaarServiceDirectory
import BazaarMessaging
import BazaarPostgresMessaging
import BazaarPostgres
public import Foundation

/// The inventory service: stock per SKU learned from the catalog, its administration and
/// ledger, public availability, low-stock alerts.
public enum InventoryService: BazaarService {
    /// Name, default port, executable and databases: written once, in `ServiceDirectory`.
    public static let listing = ServiceDirectory.inventory

    public static var openAPIDocument: URL? { Bundle.module.url(forResource: "openapi", withExtension: "json") }

    /// Adds the service's store, consumer, relay and routes to `host`.
    public nonisolated(nonsending) static func configure(_ host: inout ServiceHost) async throws {
        // The local demo gives every SKU the demo catalog announces a starting quantity; elsewhere
        // a new SKU starts at zero until its shelf is counted.
        let demoStock = try host.settings.bool("INVENTORY_DEMO_STOCK", default: false)
        let database = try host.addPostgres(migrations: try migrations())
        let bus = try host.addEventBus()
        let outbox = host.publishEvents(bus, from: database)
        try host.followAccountChanges(bus.settings)
        let stock = StockStore(logger: host.logger)
        let startingQuantity: @Sendable (String) -> Int
        if demoStock {
            startingQuantity = { sku in DemoStock.quantity(for: sku) }
        } else {
            startingQuantity = { _ in 0 }
        }
        let catalog = CatalogHandlers(stock: stock, startingQuantity: startingQuantity)
        try host.consumeEvents(bus, store: database, group: host.settings.string("INVENTORY_CONSUMER_GROUP", default: "inventory"),
                               handlers: catalog.handlers)
        let inventory = host.router.group("/api/inventory")
        StockRoutes(database: database, stock: stock, events: InventoryEvents(outbox: outbox)).add(to: inventory)
        AvailabilityRoute(database: database, stock: stock).add(to: inventory)
    }

    /// The service's schema migrations and the shared outbox and inbox tables.
    static func migrations() throws -> [Migration] {
        try Migration.bundled(in: .module) + [MessagingMigrations.outbox, MessagingMigrations.inbox]
    }
}
