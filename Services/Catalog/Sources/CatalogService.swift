public import BazaarCore
public import BazaarServiceDirectory
import BazaarMongo
import BazaarMessaging
import BazaarMongoMessaging
import BazaarRedis
public import Foundation

/// The catalog service: products, categories, brands, search, caching and product events.
public enum CatalogService: BazaarService {
    /// Name, default port, executable and databases: written once, in `ServiceDirectory`.
    public static let listing = ServiceDirectory.catalog

    public static var openAPIDocument: URL? { Bundle.module.url(forResource: "openapi", withExtension: "json") }

    /// Adds the service's stores, relay and routes to `host`. Settings: `MONGODB_URL`,
    /// `REDIS_URL`, `KAFKA_BROKERS`, `CATALOG_CACHE` (`on`/`off`), `CATALOG_SEARCH`
    /// (`tokens`/`text`), `CATALOG_SEED_DEMO` (load the demo catalog into an empty store).
    public nonisolated(nonsending) static func configure(_ host: inout ServiceHost) async throws {
        let store = try makeStore(&host)
        // Not required: without Redis, answers come from MongoDB (readiness shows it degraded).
        let redis = try host.addRedis(required: false)
        let cacheEnabled = try host.settings.bool("CATALOG_CACHE", default: true)
        let responses = CachedResponses(cache: cacheEnabled ? Cache(client: redis, prefix: host.settings.string("CATALOG_CACHE_PREFIX", default: "catalog")) : nil,
                                        logger: host.logger)
        let seed = try host.settings.bool("CATALOG_SEED_DEMO", default: false)
        let logger = host.logger
        host.beforeServing {
            try await store.createIndexes()
            if seed { _ = try await Seeder.seedIfEmpty(store, logger: logger) }
        }
        let catalog = host.router.group("/api/catalog")
        PublicRoutes(store: store, responses: responses).add(to: catalog)
        AdminRoutes(store: store, responses: responses).add(to: catalog)
    }

    /// `bazaar-catalog seed`, which the launcher runs once the service is up, and
    /// `bazaar-catalog republish`, for an operator rebuilding a consumer's product projection.
    public static let commands = [
        ServiceCommand(name: "seed", summary: "load the demo catalog into an empty store") { settings in try await seed(settings: settings) },
        ServiceCommand(name: "republish", summary: "publish every product's current state again, so a consumer that lost its projection (a fresh cart store) catches up") { settings in
            try await republish(settings: settings)
        },
    ]

    /// Runs `bazaar-catalog republish`: appends `product.updated` (or `product.deleted`) at the
    /// current version for every product to the outbox, which the running service relays.
    public static func republish(settings: Settings = Settings()) async throws -> String {
        var host = try ServiceHost(name: name, defaultPort: defaultPort, settings: settings, openAPIDocument: nil)
        let store = try makeStore(&host)
        do {
            let count = try await store.republishAllProducts(context: .background())
            await store.mongo.shutDown()
            return "queued the current state of \(count) products for publishing"
        } catch {
            await store.mongo.shutDown()
            throw error
        }
    }

    /// Runs `bazaar-catalog seed`: loads the demo catalog into an empty store (its events go to
    /// the outbox, which the running service relays) and says what it did.
    public static func seed(settings: Settings = Settings()) async throws -> String {
        var host = try ServiceHost(name: name, defaultPort: defaultPort, settings: settings, openAPIDocument: nil)
        let store = try makeStore(&host)
        do {
            try await store.createIndexes()
            let outcome = try await Seeder.seedIfEmpty(store, logger: host.logger)
            await store.mongo.shutDown()
            switch outcome {
            case .seeded(let count): return "loaded \(count) demo products"
            case .alreadyPresent: return "the catalog already has data; nothing loaded"
            }
        } catch {
            await store.mongo.shutDown()
            throw error
        }
    }

    private static func makeStore(_ host: inout ServiceHost) throws -> CatalogStore {
        let mongo = try host.addMongo()
        let bus = try host.addEventBus()
        let outbox = host.publishEvents(bus, from: mongo.database)
        try host.followAccountChanges(bus.settings)
        let search: any ProductSearch = try host.settings.choice("CATALOG_SEARCH", default: SearchMode.tokens) == .text ? TextIndexSearch() : TokenSearch()
        return CatalogStore(mongo: mongo, events: CatalogEvents(outbox: outbox), search: search)
    }

    enum SearchMode: String, CaseIterable {
        case tokens, text
    }
}
