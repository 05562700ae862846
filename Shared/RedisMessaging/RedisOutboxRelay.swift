public import BazaarKafka
public import BazaarMessaging
public import BazaarRedis
public import Logging
public import Metrics
public import ServiceLifecycle
import Foundation

/// Publishes a Redis outbox stream to Kafka in order, deleting each entry only after the broker
/// acknowledged it (at least once: a crash in between publishes it again; consumers deduplicate
/// on the event id).
///
/// With several replicas, one relay at a time holds a lease (a key renewed with every batch);
/// the others stand by, so events keep their order and are not published twice in normal
/// operation. If the holder dies, another takes over once the lease expires. Pacing, back-off and
/// pruning are the shared ``RelayLoop``'s.
public final class RedisOutboxRelay: Service, Sendable {
    let batches: RedisOutboxBatches
    /// The shared loop driving this relay (its back-off is observable there).
    public let loop: RelayLoop

    /// - Parameter leaseDuration: How long a lease lasts without renewal.
    public init(outbox: RedisOutbox, redis: RedisClient, producer: KafkaProducer, settings: OutboxRelaySettings = .init(),
                leaseDuration: Duration = .seconds(10), logger: Logger, metricsFactory: any MetricsFactory = MetricsSystem.factory) {
        batches = RedisOutboxBatches(outbox: outbox, redis: redis, producer: producer, settings: settings, leaseDuration: leaseDuration)
        loop = RelayLoop(store: batches, storeName: "redis", settings: settings, wakeup: outbox.wakeup, logger: logger,
                         metricsFactory: metricsFactory)
    }

    public func run() async throws {
        await loop.run()
    }
}

/// The Redis outbox's batches, as the ``RelayLoop`` drives them.
struct RedisOutboxBatches: OutboxStore {
    let outbox: RedisOutbox
    let redis: RedisClient
    let producer: KafkaProducer
    let settings: OutboxRelaySettings
    let leaseDuration: Duration
    let owner = UUID().uuidString

    /// Takes the lease when free or expired, renews it when ours; 1 when held, 0 when another relay holds it.
    static let holdLease = RedisScript("""
        local owner = redis.call('GET', KEYS[1])
        if owner == false or owner == ARGV[1] then
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            return 1
        end
        return 0
        """)

    var leaseKey: String { outbox.streamKey + ":relay-lease" }

    /// Publishes the oldest entries in order while holding the lease, and deletes those the broker
    /// acknowledged up to the first it did not (what follows a failure is sent again with it next
    /// time, so nothing overtakes an unsent event).
    func publishBatch() async throws -> RelayBatchOutcome {
        let held = try await redis.evaluate(Self.holdLease, keys: [leaseKey],
                                            arguments: [.string(owner), .integer(Int(leaseDuration.components.seconds * 1000))])
        guard held.integer == 1 else { return RelayBatchOutcome(standingBy: true) }
        let reply = try await redis.send(command: ["XRANGE", .string(outbox.streamKey), "-", "+", "COUNT", .integer(settings.eventsPerBatch)])
        let entries = try Self.entries(reply)
        guard !entries.isEmpty else { return RelayBatchOutcome() }
        let results = await producer.send(batch: entries.map(\.message))
        let acknowledged = results.prefix { if case .success = $0 { true } else { false } }.count
        if acknowledged > 0 {
            try await redis.send(command: ["XDEL", .string(outbox.streamKey)] + entries.prefix(acknowledged).map { .string($0.streamID) })
        }
        return RelayBatchOutcome(published: acknowledged, failed: entries.count - acknowledged)
    }

    /// Entries are deleted as they are acknowledged; nothing is left to prune.
    func deletePublished(olderThan retention: Duration) async throws {}

    /// The entries of an `XRANGE` reply as Kafka records.
    static func entries(_ reply: RedisValue) throws -> [(streamID: String, message: KafkaOutgoingMessage)] {
        guard let items = reply.array else { throw RedisError.unexpected(reply, from: "XRANGE") }
        return try items.map { item in
            guard let pair = item.array, pair.count == 2, let streamID = pair[0].string, let flat = pair[1].array, flat.count % 2 == 0 else {
                throw RedisError.unexpected(item, from: "XRANGE")
            }
            var fields: [String: String] = [:]
            for index in stride(from: 0, to: flat.count, by: 2) {
                guard let name = flat[index].string, let value = flat[index + 1].string else { throw RedisError.unexpected(item, from: "XRANGE") }
                fields[name] = value
            }
            guard let id = fields["id"], let type = fields["type"], let topic = fields["topic"], let key = fields["key"],
                  let payload = fields["payload"] else {
                throw RedisError.unexpected(item, from: "XRANGE (an outbox entry lacks a field)")
            }
            let traceparent = fields["traceparent"].flatMap { $0.isEmpty ? nil : $0 }
            return (streamID, outboxMessage(topic: topic, key: key, eventID: id, eventType: type, traceparent: traceparent, payload: payload))
        }
    }
}
