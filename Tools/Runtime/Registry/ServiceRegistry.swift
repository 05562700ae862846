public import BazaarServiceDirectory

/// One service of the platform, as the local runtime needs to know it.
///
/// Definitions come from `ServiceDirectory` (module `BazaarServiceDirectory`), where each
/// service's name, port, executable, databases and routes are written once: adding a service to
/// the local runtime means adding its listing there. The launcher derives its database,
/// credentials, environment and gateway routes from it.
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

    /// The definition of a service listed in `ServiceDirectory`.
    public init(_ listing: ServiceListing) {
        self.init(name: listing.name, port: listing.port, routePrefixes: listing.routePrefixes, databaseName: listing.databaseName,
                  documentDatabaseName: listing.documentDatabaseName, executableName: listing.executableName)
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
    /// Every service of the platform, from `ServiceDirectory`. Executables are `nil` until the service exists as a product.
    public static let all: [ServiceDefinition] = ServiceDirectory.all.map { ServiceDefinition($0) }

    /// The service that issues tokens and serves the JWKS every other service verifies against.
    public static let identityServiceName = ServiceDirectory.identityService.name

    /// Services that own a Postgres database, in registry order.
    public static func servicesWithDatabase(in services: [ServiceDefinition] = all) -> [ServiceDefinition] {
        services.filter { $0.databaseName != nil }
    }

    /// The service called `name`, if the registry has one.
    public static func service(named name: String) -> ServiceDefinition? {
        all.first { $0.name == name }
    }
}
