import BazaarRuntime
import Foundation
import Testing

@Suite("Environment files and provisioning SQL")
struct EnvironmentTests {
    let settings = RuntimeSettings(runDirectory: RunDirectory(path: "/work/.run"), postgresPort: 15432, gatewayPort: 8080)

    var passwords: [String: String] {
        Dictionary(uniqueKeysWithValues: ServiceRegistry.servicesWithDatabase().map { ($0.name, "pw\($0.name)") })
    }

    @Test("infra.env has the run directory, the admin URL and one URL per Postgres-owning service")
    func infrastructureKeys() {
        let file = InfrastructureEnvironment.make(settings: settings, adminPassword: "secret", passwords: passwords)
        #expect(file[InfrastructureEnvironment.runDirectoryKey] == "/work/.run")
        #expect(file["BAZAAR_POSTGRES_ADMIN_URL"] == "postgres://bazaar:secret@127.0.0.1:15432/postgres")
        #expect(file["USER_DATABASE_URL"] == "postgres://user_service:pwuser@127.0.0.1:15432/users")
        #expect(file["INVENTORY_DATABASE_URL"] == "postgres://inventory_service:pwinventory@127.0.0.1:15432/inventory")
        #expect(file["ORDER_DATABASE_URL"] == "postgres://order_service:pworder@127.0.0.1:15432/orders")
        #expect(file["PAYMENT_DATABASE_URL"] == "postgres://payment_service:pwpayment@127.0.0.1:15432/payments")
        #expect(file["NOTIFICATION_DATABASE_URL"] == "postgres://notification_service:pwnotification@127.0.0.1:15432/notifications")
        #expect(file["CATALOG_DATABASE_URL"] == nil)
        #expect(file["CART_DATABASE_URL"] == nil)
        #expect(file.entries.count == 2 + ServiceRegistry.servicesWithDatabase().count)
    }

    @Test("rendering writes KEY=VALUE lines that parse back to the same entries")
    func renderingRoundTrips() throws {
        let file = EnvironmentFile(entries: [
            .init(key: "PLAIN", value: "postgres://u:p@127.0.0.1:1/db"),
            .init(key: "SPACED", value: "/tmp/run dir"),
            .init(key: "QUOTED", value: "it's $HOME"),
            .init(key: "EMPTY", value: ""),
        ])
        let text = file.rendered(comment: "generated")
        #expect(text.hasPrefix("# generated\n"))
        #expect(text.contains("\nPLAIN=postgres://u:p@127.0.0.1:1/db\n"))
        #expect(text.contains("\nSPACED='/tmp/run dir'\n"))
        #expect(text.contains("\nQUOTED='it'\\''s $HOME'\n"))
        #expect(text.contains("\nEMPTY=''\n"))
        #expect(try EnvironmentFile.parse(text) == file)
    }

    @Test("parsing accepts export prefixes, double quotes and blank lines")
    func parsingIsLenient() throws {
        let file = try EnvironmentFile.parse("\n# comment\nexport A=1\nB=\"two words\"\n  C=x=y\n")
        #expect(file["A"] == "1")
        #expect(file["B"] == "two words")
        #expect(file["C"] == "x=y")
        #expect(throws: RuntimeError.self) { try EnvironmentFile.parse("NOT A SETTING") }
        #expect(throws: RuntimeError.self) { try EnvironmentFile.parse("A='unterminated") }
    }

    @Test("a started service gets its port on loopback only, its own database, the JWKS and CORS settings")
    func serviceEnvironment() throws {
        let infrastructure = InfrastructureEnvironment.make(settings: settings, adminPassword: "secret", passwords: passwords)
        let order = try #require(ServiceRegistry.service(named: "order"))
        let variables = ServiceEnvironment.variables(for: order, settings: settings, infrastructure: infrastructure)
        #expect(variables["PORT"] == "8105")
        for service in ServiceRegistry.all {
            #expect(ServiceEnvironment.variables(for: service, settings: settings, infrastructure: infrastructure)["HOST"] == "127.0.0.1",
                    "\(service.name)")
        }
        #expect(variables["DATABASE_URL"] == infrastructure["ORDER_DATABASE_URL"])
        #expect(variables["JWT_JWKS_URL"] == "http://127.0.0.1:8101/.well-known/jwks.json")
        #expect(variables["CORS_ALLOWED_ORIGINS"] == "http://localhost:8080")
        #expect(variables["LOG_LEVEL"] == "info")
        let catalog = try #require(ServiceRegistry.service(named: "catalog"))
        #expect(ServiceEnvironment.variables(for: catalog, settings: settings, infrastructure: infrastructure)["DATABASE_URL"] == nil)
        // The local demo: the catalog loads its products and the inventory stocks what it announces.
        #expect(ServiceEnvironment.variables(for: catalog, settings: settings, infrastructure: infrastructure)["CATALOG_SEED_DEMO"] == "true")
        let inventory = try #require(ServiceRegistry.service(named: "inventory"))
        #expect(ServiceEnvironment.variables(for: inventory, settings: settings, infrastructure: infrastructure)["INVENTORY_DEMO_STOCK"] == "true")
        #expect(variables["INVENTORY_DEMO_STOCK"] == nil)
        // The payment service reads its generated webhook secret; only it gets one.
        let payment = try #require(ServiceRegistry.service(named: "payment"))
        #expect(ServiceEnvironment.variables(for: payment, settings: settings, infrastructure: infrastructure)["PAYMENT_WEBHOOK_SECRET_FILE"]?
            .hasSuffix("/secrets/payment-webhook-secret") == true)
        #expect(variables["PAYMENT_WEBHOOK_SECRET_FILE"] == nil)
        // Consumers on the dev broker wait 10 ms per fetch unless the launcher's environment says otherwise.
        if infrastructure["KAFKA_BROKERS"] != nil {
            #expect(variables["KAFKA_FETCH_WAIT_MAX_MS"] == ProcessInfo.processInfo.environment["KAFKA_FETCH_WAIT_MAX_MS"] ?? "10")
            #expect(variables["KAFKA_LINGER_MS"] == ProcessInfo.processInfo.environment["KAFKA_LINGER_MS"] ?? "1")
        }
    }

    @Test("services get the cache Redis; the cart service gets its own store; --cart-redis-port has a default")
    func redisEnvironment() throws {
        var infrastructure = InfrastructureEnvironment.make(settings: settings, adminPassword: "secret", passwords: passwords)
        infrastructure.entries += [
            EnvironmentFile.Entry(key: "REDIS_URL", value: "redis://:c@127.0.0.1:16379/0"),
            EnvironmentFile.Entry(key: "CART_REDIS_URL", value: "redis://:s@127.0.0.1:16380/0"),
        ]
        for name in ["user", "catalog", "notification"] {
            let service = try #require(ServiceRegistry.service(named: name))
            #expect(ServiceEnvironment.variables(for: service, settings: settings, infrastructure: infrastructure)["REDIS_URL"]
                    == "redis://:c@127.0.0.1:16379/0", "\(name)")
        }
        let cart = try #require(ServiceRegistry.service(named: "cart"))
        #expect(ServiceEnvironment.variables(for: cart, settings: settings, infrastructure: infrastructure)["REDIS_URL"]
                == "redis://:s@127.0.0.1:16380/0")
        #expect(settings.cartRedisPort == RuntimeSettings.defaultCartRedisPort)
        #expect(RuntimeSettings.defaultCartRedisPort != RuntimeSettings.defaultRedisPort)
        #expect(settings.runDirectory.cartRedisDirectory.path(percentEncoded: false) == "/work/.run/cart-redis/")
    }

    @Test("every started service gets the SMTP sink: plain SMTP on loopback and the local sender")
    func serviceMailEnvironment() throws {
        let infrastructure = InfrastructureEnvironment.make(settings: settings, adminPassword: "secret", passwords: passwords)
        for service in ServiceRegistry.all {
            let variables = ServiceEnvironment.variables(for: service, settings: settings, infrastructure: infrastructure)
            #expect(variables["SMTP_HOST"] == "127.0.0.1", "\(service.name)")
            #expect(variables["SMTP_PORT"] == "2525", "\(service.name)")
            #expect(variables["SMTP_TLS"] == "none", "\(service.name)")
            #expect(variables["SMTP_FROM_EMAIL"] == "shop@bazaar.local", "\(service.name)")
            #expect(variables["SMTP_FROM_NAME"] == "Bazaar", "\(service.name)")
        }
        var moved = settings
        moved.smtpPort = 2535
        let notification = try #require(ServiceRegistry.service(named: "notification"))
        #expect(ServiceEnvironment.variables(for: notification, settings: moved, infrastructure: infrastructure)["SMTP_PORT"] == "2535")
    }

    @Test("infra.env names the SMTP sink and its mail folder; bazaar up says where mail goes")
    func mailInfrastructure() {
        var moved = settings
        moved.smtpPort = 2535
        #expect(RuntimeSettings.defaultSMTPPort == 2525)
        #expect(settings.runDirectory.mailDirectory.path(percentEncoded: false) == "/work/.run/mail/")
        #expect(MailServer.environmentEntries(settings: moved) == [
            EnvironmentFile.Entry(key: "BAZAAR_SMTP_HOST", value: "127.0.0.1"),
            EnvironmentFile.Entry(key: "BAZAAR_SMTP_PORT", value: "2535"),
            EnvironmentFile.Entry(key: "BAZAAR_MAIL_DIR", value: "/work/.run/mail"),
        ])
        let summary = RuntimeSummary.text(mode: .full, settings: settings, environment: EnvironmentFile(entries: []), detached: false)
        #expect(summary.contains("Mail is written to /work/.run/mail "), "\(summary)")
    }

    @Test("generated passwords are long, varied and need no quoting")
    func generatedPasswords() {
        let first = SecretStore.generatePassword()
        #expect(first.count == 32)
        #expect(first.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        #expect(first != SecretStore.generatePassword())
    }

    @Test("SQL identifiers and literals are quoted")
    func quoting() {
        #expect(PostgresProvisioning.quotedIdentifier("user") == "\"user\"")
        #expect(PostgresProvisioning.quotedIdentifier("we\"ird") == "\"we\"\"ird\"")
        #expect(PostgresProvisioning.quotedLiteral("it's") == "'it''s'")
    }

    @Test("provisioning creates what is missing and updates what exists")
    func provisioningScript() throws {
        let order = try #require(ServiceRegistry.service(named: "order"))
        let fresh = PostgresProvisioning.script(services: [order], passwords: ["order": "p'w"], existingRoles: [], existingDatabases: [])
        #expect(fresh == """
            CREATE ROLE "order_service" WITH LOGIN PASSWORD 'p''w';
            CREATE DATABASE "orders" OWNER "order_service" ENCODING 'UTF8' TEMPLATE template0;
            REVOKE ALL ON DATABASE "orders" FROM PUBLIC;

            """)
        let again = PostgresProvisioning.script(
            services: [order], passwords: ["order": "pw"], existingRoles: ["order_service"], existingDatabases: ["orders"]
        )
        #expect(again.contains("ALTER ROLE \"order_service\" WITH LOGIN PASSWORD 'pw';"))
        #expect(again.contains("ALTER DATABASE \"orders\" OWNER TO \"order_service\";"))
        #expect(!again.contains("CREATE"))
        let catalog = try #require(ServiceRegistry.service(named: "catalog"))
        #expect(PostgresProvisioning.script(services: [catalog], passwords: [:], existingRoles: [], existingDatabases: []) == "\n")
    }
}
