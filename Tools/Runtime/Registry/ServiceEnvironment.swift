import Foundation

/// The environment variables the launcher gives a service it starts (on top of its own environment).
public enum ServiceEnvironment {
    /// Variables for `service`: `PORT` and `HOST=127.0.0.1`, its own `DATABASE_URL` when it has a database,
    /// `KAFKA_BROKERS` of the dev broker, `REDIS_URL` (the cache; the cart store for the cart service), `MONGODB_URL` naming its document database (if it has one), `JWT_JWKS_URL` of the identity service, `CORS_ALLOWED_ORIGINS` of the gateway, and `LOG_LEVEL`.
    /// Every service gets the SMTP sink's `SMTP_HOST`, `SMTP_PORT`, `SMTP_TLS=none`, `SMTP_FROM_EMAIL`
    /// and `SMTP_FROM_NAME` (only services that send mail read them).
    /// Every service gets `EVENT_SEALING_KEY_FILE` (the user and notification services read it).
    /// The payment service gets `PAYMENT_WEBHOOK_SECRET_FILE` (generated on first start).
    /// The identity service also gets its signing-key file (generated on first start, kept in
    /// `secrets/`) and, when `administratorPassword` is given, the first administrator's credentials.
    public static func variables(
        for service: ServiceDefinition,
        settings: RuntimeSettings,
        infrastructure: EnvironmentFile,
        administratorPassword: String? = nil
    ) -> [String: String] {
        let identityPort = settings.services.first { $0.name == ServiceRegistry.identityServiceName }?.port
            ?? ServiceRegistry.service(named: ServiceRegistry.identityServiceName)?.port ?? 8101
        var variables = [
            "PORT": String(service.port),
            // Services default to 0.0.0.0 for containers; locally only the gateway and this machine reach them.
            "HOST": "127.0.0.1",
            "JWT_JWKS_URL": "http://127.0.0.1:\(identityPort)/.well-known/jwks.json",
            "CORS_ALLOWED_ORIGINS": settings.gatewayURL,
            // A value in the launcher's own environment wins (`LOG_LEVEL=debug bazaar up`).
            "LOG_LEVEL": ProcessInfo.processInfo.environment["LOG_LEVEL"] ?? "info",
        ]
        // The local SMTP sink, for every service (only those that send mail read it).
        variables.merge(MailServer.serviceVariables(settings: settings)) { own, _ in own }
        if service.databaseName != nil, let url = infrastructure[service.databaseURLKey] {
            variables["DATABASE_URL"] = url
        }
        if let brokers = infrastructure[KafkaBroker.brokersKey] {
            variables[KafkaBroker.brokersKey] = brokers
            // On the dev broker a consumer's fetch wait is most of each hop (10 ms: ~6 ms a hop; the
            // order saga's placed → confirmed p50 81 ms against 288 ms at the services' default 100,
            // for ~13% more of one core while idle; bench-saga). A value in the launcher's own
            // environment wins.
            variables["KAFKA_FETCH_WAIT_MAX_MS"] = ProcessInfo.processInfo.environment["KAFKA_FETCH_WAIT_MAX_MS"] ?? localFetchWaitMilliseconds
            // Relays publish whole batches and wait for their acknowledgement, so the producer's
            // linger is added to every hop: 1 ms instead of the services' default 5 took the
            // saga's placed → confirmed p50 from 89 to 75 ms at 20/s, with no CPU to see.
            variables["KAFKA_LINGER_MS"] = ProcessInfo.processInfo.environment["KAFKA_LINGER_MS"] ?? localLingerMilliseconds
        }
        // Services get the bounded cache; the cart service's store is its own Redis (no eviction, AOF).
        let redisKey = service.name == "cart" ? RedisServer.cartURLKey : RedisServer.urlKey
        if let redis = infrastructure[redisKey] {
            variables[RedisServer.urlKey] = redis
        }
        // The key that seals secrets inside events (the password-reset token from the user to the
        // notification service); the launcher creates it before starting services.
        variables["EVENT_SEALING_KEY_FILE"] = RunDirectory.path(of: settings.runDirectory.secretsDirectory.appending(path: eventSealingKeySecretName))
        if service.name == ServiceRegistry.identityServiceName {
            variables["JWT_SIGNING_KEY_FILE"] = RunDirectory.path(of: settings.runDirectory.secretsDirectory.appending(path: signingKeyFileName))
            variables["JWT_SIGNING_KEY_GENERATE"] = "true"
            if let administratorPassword {
                variables["ADMIN_EMAIL"] = localAdministratorEmail
                variables["ADMIN_PASSWORD"] = administratorPassword
            }
        }
        if service.name == "payment" {
            variables["PAYMENT_WEBHOOK_SECRET_FILE"] = RunDirectory.path(of: settings.runDirectory.secretsDirectory.appending(path: paymentWebhookSecretName))
        }
        if service.name == "notification" {
            // Reset links in emails point at the storefront behind this run's gateway.
            variables["RESET_LINK_BASE"] = settings.gatewayURL + "/reset-password"
        }
        if service.name == "catalog" {
            // A first start loads the demo catalog (only into an empty store).
            variables["CATALOG_SEED_DEMO"] = "true"
        }
        if service.name == "inventory" {
            // Every SKU the demo catalog announces gets a starting quantity (a few low, a few at zero).
            variables["INVENTORY_DEMO_STOCK"] = "true"
        }
        if let database = service.documentDatabaseName {
            variables[DocumentServer.urlKey] = DocumentServer.url(port: settings.mongoPort, database: database)
        }
        return variables
    }

    /// The consumers' `KAFKA_FETCH_WAIT_MAX_MS` on the dev broker, unless the launcher's environment sets one.
    public static let localFetchWaitMilliseconds = "10"

    /// The producers' `KAFKA_LINGER_MS` on the dev broker, unless the launcher's environment sets one.
    public static let localLingerMilliseconds = "1"

    /// The administrator a local run creates on first start.
    public static let localAdministratorEmail = "admin@bazaar.local"
    /// The secret holding that administrator's generated password.
    public static let administratorPasswordSecretName = "admin-password"
    /// The identity service's ES256 signing key, in the run directory's `secrets/`.
    public static let signingKeyFileName = "jwt-signing-key.pem"
    /// The key the user and notification services seal event secrets with (`EVENT_SEALING_KEY_FILE`).
    public static let eventSealingKeySecretName = "event-sealing-key"
    /// The secret payment-provider webhooks are signed with (`PAYMENT_WEBHOOK_SECRET_FILE`).
    public static let paymentWebhookSecretName = "payment-webhook-secret"
}
