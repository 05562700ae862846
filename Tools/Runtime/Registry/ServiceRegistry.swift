public import BazaarServiceDirectory

/// One service of the platform, as the local runtime needs to know it: its `ServiceListing`
/// (module `BazaarServiceDirectory`), where each service's name, port, executable, databases and
/// routes are written once. Adding a service to the local runtime means adding its listing
/// there; the launcher derives its database, credentials, environment and gateway routes from it.
public typealias ServiceDefinition = ServiceListing

extension ServiceListing {
    /// The definition of a service listed in `ServiceDirectory`.
    public init(_ listing: ServiceListing) {
        self = listing
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

    /// Environment key of the role's password in a container deployment, such as `ORDER_DB_PASSWORD`
    /// (read by `infrastructure/postgres/init-db.sql` and put into the service's `DATABASE_URL`).
    public var databasePasswordEnvironmentKey: String { "\(name.uppercased())_DB_PASSWORD" }

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
