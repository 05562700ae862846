public import BazaarKafka
public import BazaarMessaging
import BazaarMongo
public import Logging
public import ServiceLifecycle
import BazaarCore
import Foundation

/// Publishes a MongoDB outbox to Kafka, in sequence order, marking each entry published once the
/// broker acknowledged it (at least once: a crash in between publishes it again; consumers
/// deduplicate on the event id).
///
/// With several replicas, one relay at a time holds a lease (a document renewed every few
/// seconds); the others wait, so events keep their order and are not published twice in normal
/// operation. If the holder dies, another takes over once the lease expires.
public final class MongoOutboxRelay: Service, Sendable {
    let outbox: MongoOutbox
    let producer: KafkaProducer
    let settings: OutboxRelaySettings
    let logger: Logger
    let leases: MongoCollection<RelayLease>
    let owner = UUID().uuidString
    /// How long a lease lasts without renewal.
    let leaseDuration: Duration

    public init(outbox: MongoOutbox, producer: KafkaProducer, settings: OutboxRelaySettings = .init(), leaseDuration: Duration = .seconds(10),
                logger: Logger) {
        self.outbox = outbox
        self.producer = producer
        self.settings = settings
        self.leaseDuration = leaseDuration
        self.logger = logger
        self.leases = outbox.entries.database.collection("outbox_lease", of: RelayLease.self)
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await relayUntilShutdown()
        } onGracefulShutdown: {
            self.outbox.wakeup.signal()
        }
    }

    private func relayUntilShutdown() async {
        var backoff = settings.initialBackoff
        var lastCleanup = ContinuousClock.now
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                guard try await holdLease() else {
                    await outbox.wakeup.wait(timeout: settings.pollInterval)
                    continue
                }
                let published = try await publishBatch()
                backoff = settings.initialBackoff
                if ContinuousClock.now - lastCleanup > settings.cleanupInterval {
                    lastCleanup = .now
                    try await deletePublished()
                }
                if published == 0 { await outbox.wakeup.wait(timeout: settings.pollInterval) }
            } catch {
                logger.warning("outbox relay failed; retrying", metadata: ["error": .string("\(error)"), "backoff_ms": .stringConvertible(backoff.milliseconds)])
                try? await Task.sleep(for: backoff)  // cancelled only at shutdown, which the loop checks
                backoff = min(backoff * 2, settings.maximumBackoff)
            }
        }
    }

    /// Publishes the oldest unpublished entries in order; stops at the first failure (thrown) so
    /// nothing overtakes an event that could not be sent.
    func publishBatch() async throws -> Int {
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
            throw error
        }
        try await markPublished(published)
        return pending.count
    }

    /// One write for the whole batch (the MongoDB-wire dev server is slow per operation).
    private func markPublished(_ ids: [BSONValue]) async throws {
        guard !ids.isEmpty else { return }
        _ = try await outbox.entries.updateMany(["_id": ["$in": .array(ids)]], update: ["$set": ["publishedAt": .datetime(Date())]])
    }

    /// Takes or renews the relay lease; false while another relay holds it.
    func holdLease() async throws -> Bool {
        let now = Date()
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

    private func deletePublished() async throws {
        let cutoff = Date().addingTimeInterval(-TimeInterval(settings.retention.components.seconds))
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
