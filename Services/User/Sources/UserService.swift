public import BazaarCore
public import BazaarServiceDirectory
import BazaarContracts
import BazaarMessaging
import BazaarPostgresMessaging
import BazaarPostgres
import BazaarRedis
public import Foundation
import NIOCore

/// The user service: accounts, sign-in, tokens and keys, addresses, administration, audit.
/// `main` calls ``configure(_:)``; tests call it on a host of their own.
public enum UserService: BazaarService {
    /// Name, default port, executable and databases: written once, in `ServiceDirectory`.
    public static let listing = ServiceDirectory.user

    /// The bundled OpenAPI document served at `/openapi.json`.
    public static var openAPIDocument: URL? { Bundle.module.url(forResource: "openapi", withExtension: "json") }

    /// Adds the service's stores, background work and routes to `host`.
    public nonisolated(nonsending) static func configure(_ host: inout ServiceHost) async throws {
        let settings = try UserSettings.from(host.settings)
        let keyRing = try KeyRing.load(from: host.settings)
        // Password-reset tokens travel to the notification service sealed with a key only the two hold.
        let sealer = try SecretSealer.load(from: host.settings)
        host.verifyTokens(with: try TokenVerifier(settings: AuthSettings(keySource: .publicKeys(keyRing.trustedKeys), issuer: settings.issuer,
                                                                          audience: settings.audience),
                                                  logger: host.logger))
        let database = try host.addPostgres(migrations: try migrations())
        // Password-reset events carry the (sealed) token for the email: keep relayed events an hour, not a week.
        var relay = OutboxRelaySettings()
        relay.retention = .seconds(3600)
        let bus = try host.addEventBus()
        let outbox = host.publishEvents(bus, from: database, relay: relay)
        try host.followAccountChanges(bus.settings)
        // Required: without Redis, sign-in cannot be throttled and is refused (503).
        let redis = try host.addRedis(required: true)
        let hasher = try await PasswordHasher.make(cost: settings.bcryptCost)
        let dependencies = UserDependencies(
            database: database, users: UserStore(database: database), sessions: SessionStore(logger: host.logger),
            addresses: AddressStore(logger: host.logger), audit: AuditLog(logger: host.logger),
            events: UserEvents(outbox: outbox, sealer: sealer), hasher: hasher,
            issuer: await TokenIssuer.make(keyRing: keyRing, settings: settings),
            throttle: LoginThrottle(redis: redis, limits: settings.loginLimits, keyPrefix: settings.redisKeyPrefix), settings: settings, keyRing: keyRing
        )
        host.addBackgroundWork(ExpiredTokenCleanup(dependencies: dependencies))
        if let admin = settings.initialAdmin {
            host.beforeServing { try await InitialAdministrator.ensure(admin, dependencies: dependencies) }
        }
        addRoutes(to: host, dependencies: dependencies, limits: RouteLimits(redis: redis, keyPrefix: settings.redisKeyPrefix),
                  jwks: ByteBuffer(bytes: try keyRing.jwksDocument()))
    }

    static func addRoutes(to host: ServiceHost, dependencies: UserDependencies, limits: RouteLimits, jwks: ByteBuffer) {
        let auth = host.router.group("/api/auth")
        let users = host.router.group("/api/users")
        AuthRoutes(dependencies: dependencies).add(to: auth, limits: limits)
        PasswordRoutes(dependencies: dependencies).add(auth: auth, users: users, limits: limits)
        ProfileRoutes(dependencies: dependencies).add(to: users)
        AddressRoutes(dependencies: dependencies).add(to: users)
        AdminRoutes(dependencies: dependencies).add(to: users)
        KeyRoutes(document: jwks).add(to: host.router)
    }

    /// The service's schema migrations and the shared outbox and inbox tables.
    static func migrations() throws -> [Migration] {
        try Migration.bundled(in: .module) + MessagingMigrations.outbox
    }
}
