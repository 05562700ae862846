public import BazaarCore

/// Reports at `/health/ready` whether Redis answers `PING`, under the name `redis`.
///
/// Whether the service is unready without Redis is the service's choice: a pure cache is not
/// required (requests fall back to the source), a store of record or a fail-closed rate limiter is.
public struct RedisHealthCheck: HealthCheck {
    /// The client whose pool is checked.
    public let client: RedisClient
    /// Whether the service is unready while Redis is down.
    public let isRequired: Bool

    /// A check of `client`; `required` makes the service unready while Redis is down.
    public init(client: RedisClient, required: Bool) {
        self.client = client
        self.isRequired = required
    }

    /// `redis`.
    public var name: String { "redis" }

    /// Returns when Redis answered `PING`; throws its ``RedisError`` otherwise.
    public func check() async throws {
        try await client.ping()
    }
}

extension RedisClient {
    /// A readiness check (`PING`) of this client, named `redis`.
    public func healthCheck(required: Bool) -> RedisHealthCheck {
        RedisHealthCheck(client: self, required: required)
    }
}

extension ServiceHost {
    /// Creates the Redis client from `REDIS_URL` and the pool settings, closes it on shutdown
    /// (after services added later have stopped) and reports it at `/health/ready`.
    /// - Parameter required: Whether the service is unready while Redis is down (false for a
    ///   cache or a fail-open rate limiter).
    /// - Throws: ``ConfigurationError`` naming the invalid variable.
    public mutating func addRedis(required: Bool) throws -> RedisClient {
        let client = try RedisClient(settings: settings, logger: logger, metricsFactory: metrics.factory)
        addService(client)
        addHealthCheck(client.healthCheck(required: required))
        return client
    }
}
