/// One service of the platform, as the local runtime needs to know it.
///
/// Adding a service to the local runtime means adding one entry to ``ServiceRegistry/all``:
/// the launcher derives its database, credentials, environment and gateway routes from it.
public struct ServiceDefinition: Sendable, Hashable {
    /// Short lowercase name, such as `order`: used in log prefixes, environment keys and messages.
    public let name: String
    /// Port the service listens on locally, passed to it as `PORT`.
    public let port: Int
    /// Path prefixes the gateway forwards to this service unchanged; each starts and ends with `/`.
    public let routePrefixes: [String]
    /// Postgres database the service owns, or `nil` when it stores nothing in Postgres.
    public let databaseName: String?
    /// Executable product started for this service, or `nil` while it is not built yet:
    /// the launcher then provisions its database and gateway route but starts no process.
    public let executableName: String?
    /// Name of the service's MongoDB database, for a service that keeps documents (`MONGODB_URL`).
    public let documentDatabaseName: String?

    /// Creates a service definition; see the properties for the meaning of each field.
    public init(
        name: String,
        port: Int,
        routePrefixes: [String],
        databaseName: String? = nil,
        documentDatabaseName: String? = nil,
        executableName: String? = nil
    ) {
        self.name = name
        self.port = port
        self.routePrefixes = routePrefixes
        self.databaseName = databaseName
        self.documentDatabaseName = documentDatabaseName
        self.executableName = executableName
    }

    /// The same service listening on `port` (to run a second platform beside the first).
    public func movingPort(to port: Int) -> ServiceDefinition {
        ServiceDefinition(name: name, port: port, routePrefixes: routePrefixes, databaseName: databaseName,
                          documentDatabaseName: documentDatabaseName, executableName: executableName)
    }

    /// Postgres role the service connects as, such as `order_service`; meaningful only with a database.
    public var databaseRoleName: String { "\(name)_service" }

    /// Key of this service's connection URL in `infra.env`, such as `ORDER_DATABASE_URL`.
    public var databaseURLKey: String { "\(name.uppercased())_DATABASE_URL" }

    /// Name of the file in the run directory's `secrets/` folder holding the role's password.
    public var databasePasswordSecretName: String { "postgres-\(name)-password" }
}

/// The services the local runtime knows, in start order.
public enum ServiceRegistry {
    /// Every service of the platform. Executables are `nil` until the service exists as a product.
    public static let all: [ServiceDefinition] = [
        ServiceDefinition(
            name: "user", port: 8101,
            routePrefixes: ["/api/auth/", "/api/users/", "/.well-known/"],
            databaseName: "users", executableName: "bazaar-user"
        ),
        ServiceDefinition(name: "catalog", port: 8102, routePrefixes: ["/api/catalog/"], documentDatabaseName: "catalog",
                          executableName: "bazaar-catalog"),
        ServiceDefinition(
            name: "inventory", port: 8103, routePrefixes: ["/api/inventory/"], databaseName: "inventory"
        ),
        ServiceDefinition(name: "cart", port: 8104, routePrefixes: ["/api/cart/"]),
        ServiceDefinition(name: "order", port: 8105, routePrefixes: ["/api/orders/"], databaseName: "orders"),
        ServiceDefinition(name: "payment", port: 8106, routePrefixes: ["/api/payments/"], databaseName: "payments"),
        ServiceDefinition(
            name: "notification", port: 8107, routePrefixes: ["/api/notifications/"], databaseName: "notifications",
            executableName: "bazaar-notification"
        ),
    ]

    /// The service that issues tokens and serves the JWKS every other service verifies against.
    public static let identityServiceName = "user"

    /// Services that own a Postgres database, in registry order.
    public static func servicesWithDatabase(in services: [ServiceDefinition] = all) -> [ServiceDefinition] {
        services.filter { $0.databaseName != nil }
    }

    /// The service called `name`, if the registry has one.
    public static func service(named name: String) -> ServiceDefinition? {
        all.first { $0.name == name }
    }
}
