public import BazaarKafka
public import BazaarMessaging
import BazaarMongo
public import Logging
public import Metrics
public import ServiceLifecycle
public import Foundation

/// Publishes a MongoDB outbox to Kafka, in sequence order, marking each entry published once the
/// broker acknowledged it (at least once: a crash in between publishes it again; consumers
/// deduplicate on the event id).
///
/// With several replicas, one relay at a time holds a lease (a document renewed every few
/// seconds); the others stand by, so events keep their order and are not published twice in
/// normal operation. If the holder dies, another takes over once the lease expires. Pacing,
/// back-off and pruning are the shared ``RelayLoop``'s.
public final class MongoOutboxRelay: Service, Sendable {
    let batches: MongoOutboxBatches
    /// The shared loop driving this relay (its back-off is observable there).
    public let loop: RelayLoop

    /// - Parameters:
    ///   - leaseDuration: How long a lease lasts without renewal.
    ///   - now: The clock leases are timed by (tests move it by hand).
    public init(outbox: MongoOutbox, producer: KafkaProducer, settings: OutboxRelaySettings = .init(), leaseDuration: Duration = .seconds(10),
                logger: Logger, metricsFactory: any MetricsFactory = MetricsSystem.factory, now: @escaping @Sendable () -> Date = Date.init) {
        batches = MongoOutboxBatches(outbox: outbox, producer: producer, settings: settings, leaseDuration: leaseDuration, now: now)
        loop = RelayLoop(store: batches, storeName: "mongodb", settings: settings, wakeup: outbox.wakeup, logger: logger,
                         metricsFactory: metricsFactory)
    }

    public func run() async throws {
        await loop.run()
    }

    /// Takes or renews the relay lease; false while another relay holds it.
    func holdLease() async throws -> Bool {
        try await batches.holdLease()
    }
}

/// The MongoDB outbox's batches, as the ``RelayLoop`` drives them.
struct MongoOutboxBatches: OutboxStore {
    let outbox: MongoOutbox
    let producer: KafkaProducer
    let settings: OutboxRelaySettings
    let leases: MongoCollection<RelayLease>
    let owner = UUID().uuidString
    let leaseDuration: Duration
    let now: @Sendable () -> Date

    init(outbox: MongoOutbox, producer: KafkaProducer, settings: OutboxRelaySettings, leaseDuration: Duration, now: @escaping @Sendable () -> Date) {
        self.outbox = outbox
        self.producer = producer
        self.settings = settings
        self.leaseDuration = leaseDuration
        self.now = now
        self.leases = outbox.entries.database.collection("outbox_lease", of: RelayLease.self)
    }

    /// Publishes the oldest unpublished entries in order while holding the lease; stops at the
    /// first failure (thrown) so nothing overtakes an event that could not be sent.
    func publishBatch() async throws -> RelayBatchOutcome {
        guard try await holdLease() else { return RelayBatchOutcome(standingBy: true) }
        let pending = try await outbox.entries.find(["publishedAt": nil], sort: ["sequence": 1], limit: settings.eventsPerBatch)
        var published: [BSONValue] = []
        do {
            for entry in pending {
                _ = try await producer.send(outboxMessage(topic: entry.topic, key: entry.key, eventID: entry.id, eventType: entry.type,
                                                          traceparent: entry.traceparent, payload: entry.payload))
                published.append(.string(entry.id))
            }
        } catch {
            try await markPublished(published)
            return RelayBatchOutcome(published: published.count, failed: pending.count - published.count)
        }
        try await markPublished(published)
        return RelayBatchOutcome(published: published.count)
    }

    /// One write for the whole batch (the MongoDB-wire dev server is slow per operation).
    private func markPublished(_ ids: [BSONValue]) async throws {
        guard !ids.isEmpty else { return }
        _ = try await outbox.entries.updateMany(["_id": ["$in": .array(ids)]], update: ["$set": ["publishedAt": .datetime(now())]])
    }

    /// Takes or renews the relay lease; false while another relay holds it.
    func holdLease() async throws -> Bool {
        let now = now()
        let expiry = now.addingTimeInterval(TimeInterval(leaseDuration.components.seconds))
        do {
            let lease = try await leases.findOneAndUpdate(
                ["_id": "relay", "$or": [["owner": .string(owner)], ["expiresAt": ["$lt": .datetime(now)]]]],
                update: ["$set": ["owner": .string(owner), "expiresAt": .datetime(expiry)]], upsert: true)
            return lease?.owner == owner
        } catch MongoError.duplicateKey {
            return false  // another relay holds an unexpired lease
        }
    }

    func deletePublished(olderThan retention: Duration) async throws {
        let cutoff = now().addingTimeInterval(-TimeInterval(retention.components.seconds))
        _ = try await outbox.entries.deleteMany(["publishedAt": ["$lt": .datetime(cutoff)]])
    }
}

/// The document naming the relay that may publish.
struct RelayLease: Codable, Sendable {
    var id: String
    var owner: String
    var expiresAt: Date

    enum CodingKeys: String, CodingKey {
        case id = "_id", owner, expiresAt
    }
}
