import BazaarRuntime
import Testing

@Suite("Service registry")
struct ServiceRegistryTests {
    let services = ServiceRegistry.all

    @Test("service names are unique lowercase words")
    func namesAreUniqueWords() {
        let names = services.map(\.name)
        #expect(Set(names).count == names.count)
        for name in names {
            // Names appear in nginx strings, environment keys and SQL role names unescaped.
            #expect(!name.isEmpty && name.allSatisfy { $0.isLowercase && $0.isASCII }, "\(name)")
        }
    }

    @Test("service ports are unique and clear of the gateway and Postgres defaults")
    func portsAreUnique() {
        let ports = services.map(\.port)
        #expect(Set(ports).count == ports.count)
        #expect(!ports.contains(RuntimeSettings.defaultGatewayPort))
        #expect(!ports.contains(RuntimeSettings.defaultPostgresPort))
        #expect(ports.allSatisfy { (1024...65_535).contains($0) })
    }

    @Test("route prefixes are unique, well formed and never nested in one another")
    func routePrefixesAreUnambiguous() {
        let prefixes = services.flatMap(\.routePrefixes)
        #expect(Set(prefixes).count == prefixes.count)
        for prefix in prefixes {
            #expect(prefix.hasPrefix("/") && prefix.hasSuffix("/") && prefix.count > 2, "\(prefix)")
            let forbidden: Set<Character> = [" ", ";", "{", "}", "'", "\"", "$"]
            let isClean = prefix.allSatisfy { !forbidden.contains($0) }
            #expect(isClean, "\(prefix) holds characters nginx would misread")
            for other in prefixes where other != prefix {
                #expect(!other.hasPrefix(prefix), "\(other) is nested in \(prefix)")
            }
        }
    }

    @Test("every service has at least one route")
    func everyServiceHasRoutes() {
        for service in services {
            #expect(!service.routePrefixes.isEmpty, "\(service.name)")
        }
    }

    @Test("database names and role names are unique")
    func databasesAreUnique() {
        let owners = ServiceRegistry.servicesWithDatabase()
        let databases = owners.compactMap(\.databaseName)
        #expect(Set(databases).count == databases.count)
        #expect(Set(owners.map(\.databaseRoleName)).count == owners.count)
        #expect(!databases.contains("postgres") && !databases.contains { $0.hasPrefix("template") })
    }

    @Test("the registry matches the architecture brief")
    func registryMatchesBrief() throws {
        let expected: [(name: String, port: Int, database: String?, routes: [String])] = [
            ("user", 8101, "users", ["/api/auth/", "/api/users/", "/.well-known/"]),
            ("catalog", 8102, nil, ["/api/catalog/"]),
            ("inventory", 8103, "inventory", ["/api/inventory/"]),
            ("cart", 8104, nil, ["/api/cart/"]),
            ("order", 8105, "orders", ["/api/orders/"]),
            ("payment", 8106, "payments", ["/api/payments/"]),
            ("notification", 8107, "notifications", ["/api/notifications/"]),
        ]
        #expect(services.map(\.name) == expected.map(\.name))
        for entry in expected {
            let service = try #require(ServiceRegistry.service(named: entry.name))
            #expect(service.port == entry.port)
            #expect(service.databaseName == entry.database)
            #expect(service.routePrefixes == entry.routes)
        }
        #expect(ServiceRegistry.service(named: ServiceRegistry.identityServiceName)?.routePrefixes.contains("/.well-known/") == true)
    }

    @Test("derived names follow the service name")
    func derivedNames() throws {
        let order = try #require(ServiceRegistry.service(named: "order"))
        #expect(order.databaseURLKey == "ORDER_DATABASE_URL")
        #expect(order.databaseRoleName == "order_service")
        #expect(order.databasePasswordSecretName == "postgres-order-password")
    }
}
