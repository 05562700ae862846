/// What the rest of the platform needs to know about one service: written once here, read by
/// the service itself (its name and default port) and by the local launcher (`BazaarRuntime`:
/// its executable, databases and gateway routes). This module depends on nothing, so the
/// launcher can know every service without linking any of them.
public struct ServiceListing: Sendable, Hashable {
    /// Short lowercase name, such as `order`: used in log prefixes, environment keys and messages.
    public let name: String
    /// Port the service listens on locally unless `PORT` says otherwise.
    public let port: Int
    /// Path prefixes the gateway forwards to this service unchanged; each starts and ends with `/`.
    public let routePrefixes: [String]
    /// Postgres database the service owns, or `nil` when it stores nothing in Postgres.
    public let databaseName: String?
    /// MongoDB database the service owns, or `nil` when it keeps no documents.
    public let documentDatabaseName: String?
    /// Executable product of the service (`bazaar-order`), or `nil` while it is not built yet.
    public let executableName: String?

    /// Creates a listing; see the properties for the meaning of each field.
    public init(name: String, port: Int, routePrefixes: [String], databaseName: String? = nil, documentDatabaseName: String? = nil,
                executableName: String? = nil) {
        self.name = name
        self.port = port
        self.routePrefixes = routePrefixes
        self.databaseName = databaseName
        self.documentDatabaseName = documentDatabaseName
        self.executableName = executableName
    }
}

/// Every service of the platform, in start order.
///
/// Adding a service starts here: one listing below, added to ``all``; the service's
/// `BazaarService` conformance points at it and the launcher's registry picks it up.
public enum ServiceDirectory {
    /// Accounts, sign-in, tokens and the JWKS every other service verifies against.
    public static let user = ServiceListing(name: "user", port: 8101, routePrefixes: ["/api/auth/", "/api/users/", "/.well-known/"],
                                            databaseName: "users", executableName: "bazaar-user")
    /// Products, categories, brands, search.
    public static let catalog = ServiceListing(name: "catalog", port: 8102, routePrefixes: ["/api/catalog/"], documentDatabaseName: "catalog",
                                               executableName: "bazaar-catalog")
    /// Stock per SKU, its ledger, availability and reservations for orders.
    public static let inventory = ServiceListing(name: "inventory", port: 8103, routePrefixes: ["/api/inventory/"], databaseName: "inventory",
                                                 executableName: "bazaar-inventory")
    /// Guest and signed-in carts (their own Redis), live prices from the catalog's events, checkout.
    public static let cart = ServiceListing(name: "cart", port: 8104, routePrefixes: ["/api/cart/"], executableName: "bazaar-cart")
    /// Orders and the order saga, from a checked-out cart to delivery.
    public static let order = ServiceListing(name: "order", port: 8105, routePrefixes: ["/api/orders/"], databaseName: "orders",
                                             executableName: "bazaar-order")
    /// Payments charged once per order through a provider, signed webhooks, refunds, the ledger and its reconciliation.
    public static let payment = ServiceListing(name: "payment", port: 8106, routePrefixes: ["/api/payments/"], databaseName: "payments",
                                               executableName: "bazaar-payment")
    /// Emails from events, the delivery log, the live feed.
    public static let notification = ServiceListing(name: "notification", port: 8107, routePrefixes: ["/api/notifications/"],
                                                    databaseName: "notifications", executableName: "bazaar-notification")

    /// Every service, in start order.
    public static let all: [ServiceListing] = [user, catalog, inventory, cart, order, payment, notification]

    /// The service that issues tokens and serves the JWKS every other service verifies against.
    public static let identityService = user
}
