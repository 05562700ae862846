public import BazaarContracts
public import BazaarMessaging
public import BazaarMongo
import Foundation

/// One event waiting in (or already relayed from) a MongoDB outbox.
struct MongoOutboxEntry: Codable, Sendable {
    /// The event id.
    var id: String
    /// Order of writing across the whole outbox; the relay publishes in this order.
    var sequence: Int64
    var topic: String
    var key: String
    var type: String
    var traceparent: String?
    /// The CloudEvent as JSON.
    var payload: String
    var createdAt: Date
    var publishedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id = "_id", sequence, topic, key, type, traceparent, payload, createdAt, publishedAt
    }
}

/// The counter that numbers outbox entries.
struct OutboxSequence: Codable, Sendable {
    var id: String
    var value: Int64

    enum CodingKeys: String, CodingKey {
        case id = "_id", value
    }
}

/// The transactional outbox for a service whose state lives in MongoDB: events are written into
/// the `outbox` collection in the same multi-document transaction as the change they describe,
/// so an event exists exactly when its change was committed — a crash between the write and the
/// publish loses nothing. ``MongoOutboxRelay`` publishes them.
///
/// ```swift
/// try await mongo.withTransaction { session in
///     try await products.replaceOne(["_id": .string(id)], with: product, session: session)
///     try await outbox.append(ProductUpdated(product: snapshot, occurredAt: now), context: context, session: session)
/// }
/// ```
public struct MongoOutbox: Sendable {
    /// The CloudEvents `source`, e.g. `bazaar/catalog`.
    public let source: String
    public let topicPrefix: String
    let entries: MongoCollection<MongoOutboxEntry>
    let sequences: MongoCollection<OutboxSequence>
    let wakeup: WakeupSignal

    public static let collectionName = "outbox"

    public init(database: MongoDatabase, source: String, topicPrefix: String = "", wakeup: WakeupSignal = WakeupSignal()) {
        self.source = source
        self.topicPrefix = topicPrefix
        self.entries = database.collection(Self.collectionName, of: MongoOutboxEntry.self)
        self.sequences = database.collection("outbox_sequence", of: OutboxSequence.self)
        self.wakeup = wakeup
    }

    /// Writes `payload` as a CloudEvent into the outbox within `session`'s transaction.
    @discardableResult
    public func append<Payload: EventPayload>(_ payload: Payload, context: EventContext, session: MongoSession) async throws -> CloudEvent<Payload> {
        let event = CloudEvent(payload, source: source, traceparent: context.traceparent, requestID: context.requestID)
        // One counter document: concurrent writers conflict on it and the transaction retries,
        // which keeps the sequence gap-free in commit order per aggregate.
        guard let counter = try await sequences.findOneAndUpdate(["_id": "outbox"], update: ["$inc": ["value": 1]], upsert: true,
                                                                 returning: .after, session: session) else {
            throw MongoOutboxError(detail: "the outbox sequence could not be advanced")
        }
        let entry = MongoOutboxEntry(id: event.id, sequence: counter.value, topic: Payload.eventType.topic.name(prefix: topicPrefix),
                                     key: event.subject, type: event.type, traceparent: event.traceparent,
                                     payload: String(decoding: try EventCodec.encode(event), as: UTF8.self), createdAt: Date(), publishedAt: nil)
        try await entries.insertOne(entry, session: session)
        return event
    }

    /// Tells this process's relay to look now (call after the transaction committed).
    public func notifyCommitted() {
        wakeup.signal()
    }

    /// The indexes the relay's queries need; create them at start-up.
    public func createIndexes() async throws {
        try await entries.createIndexes([
            MongoIndex(["publishedAt": 1, "sequence": 1], name: "unpublished_in_order"),
            MongoIndex(["sequence": 1], name: "sequence", unique: true),
        ])
    }
}

struct MongoOutboxError: Error, CustomStringConvertible {
    let detail: String
    var description: String { detail }
}
