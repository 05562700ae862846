public import BazaarCore
public import BazaarServiceDirectory
import BazaarCommerce
import BazaarMessaging
import BazaarRedis
import BazaarRedisMessaging
public import Foundation

/// The cart service: guest and signed-in carts in their own Redis, priced from a projection of
/// the catalog's product events, and the checkout that turns a cart into an order.
public enum CartService: BazaarService {
    /// Name, default port and executable: written once, in `ServiceDirectory`.
    public static let listing = ServiceDirectory.cart

    public static var openAPIDocument: URL? { Bundle.module.url(forResource: "openapi", withExtension: "json") }

    /// Adds the cart store, the catalog projection's consumer, the outbox relay and the routes to `host`.
    public nonisolated(nonsending) static func configure(_ host: inout ServiceHost) async throws {
        let userTTL = Duration.seconds(try host.settings.int("CART_USER_TTL_SECONDS", default: 30 * 86_400, range: 1...365 * 86_400))
        let guestTTL = Duration.seconds(try host.settings.int("CART_GUEST_TTL_SECONDS", default: 7 * 86_400, range: 1...365 * 86_400))
        let keepCheckouts = Duration.seconds(try host.settings.int("CHECKOUT_IDEMPOTENCY_SECONDS", default: 86_400, range: 60...30 * 86_400))
        let redis = try host.addRedis(required: true)
        let bus = try host.addEventBus()
        let outbox = host.publishEvents(bus, from: redis)
        try host.followAccountChanges(bus.settings)
        try host.consumeEvents(bus, group: host.settings.string("CART_CONSUMER_GROUP", default: "cart"),
                               applier: CatalogProjection(products: ProductProjection(redis: redis)))
        let rules = PricingRules.standard
        let metrics = CartMetrics(factory: host.metrics.factory)
        let carts = CartStore(redis: redis, userTTL: userTTL, guestTTL: guestTTL)
        CartRoutes(carts: carts, rules: rules, metrics: metrics).add(to: host.router)
        CheckoutRoute(carts: carts, checkouts: CheckoutStore(redis: redis, outbox: outbox, keepFor: keepCheckouts), outbox: outbox,
                      rules: rules, metrics: metrics).add(to: host.router)
    }
}
