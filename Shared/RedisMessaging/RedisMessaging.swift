public import BazaarCore
public import BazaarMessaging
public import BazaarRedis

extension ServiceHost {
    /// Publishes this service's events reliably from a Redis outbox stream in `redis`: a
    /// ``RedisOutboxRelay`` runs for the life of the service (a background job). Append with
    /// the returned ``RedisOutbox`` in the atomic step that makes the change (its entry's fields
    /// in the step's `XADD`), then call ``RedisOutbox/appended()``.
    public mutating func publishEvents(_ bus: EventBus, from redis: RedisClient, streamKey: String = "outbox",
                                       relay: OutboxRelaySettings = .init()) -> RedisOutbox {
        let outbox = RedisOutbox(source: bus.source, topicPrefix: bus.settings.topicPrefix, streamKey: streamKey)
        addBackgroundWork(RedisOutboxRelay(outbox: outbox, redis: redis, producer: bus.producer, settings: relay, logger: logger,
                                           metricsFactory: metrics.factory))
        return outbox
    }
}
