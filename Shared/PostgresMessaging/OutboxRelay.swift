public import BazaarMessaging
public import BazaarKafka
public import BazaarPostgres
public import Logging
public import ServiceLifecycle
public import Metrics
import PostgresNIO

/// Publishes outbox rows to Kafka and marks them published once the broker acknowledged.
///
/// - Order: each batch claims whole aggregates (topic + key) with a transaction-scoped advisory
///   lock, then publishes each aggregate's events one after the other in outbox order, so one
///   aggregate's events reach its partition in the order they were written, even with several
///   relays running (different aggregates are published concurrently).
/// - No double publishing between replicas: claimed keys are locked, their rows are taken with
///   `FOR UPDATE SKIP LOCKED`, and only committed rows are ever seen.
/// - At least once: a row is marked published only after its acknowledgement; a crash before the
///   mark publishes it again after restart (consumers deduplicate on the event id).
/// - Wakes on `LISTEN bazaar_outbox` (``Outbox/append`` notifies on commit), polls as a fallback,
///   and paces, backs off and prunes through the shared ``RelayLoop``.
public final class OutboxRelay: Service, Sendable {
    let store: PostgresStore
    let logger: Logger
    /// The shared loop driving this relay (its back-off is observable there).
    public let loop: RelayLoop

    public init(store: PostgresStore, producer: KafkaProducer, settings: OutboxRelaySettings = .init(), logger: Logger,
                metricsFactory: any MetricsFactory = MetricsSystem.factory) {
        self.store = store
        self.logger = logger
        self.loop = RelayLoop(store: PostgresOutboxBatches(store: store, producer: producer, settings: settings, logger: logger,
                                                           metricsFactory: metricsFactory),
                              storeName: "postgres", settings: settings, logger: logger, metricsFactory: metricsFactory)
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.store.listen(on: Outbox.notificationChannel) { self.loop.wakeup.signal() } }
            await loop.run()
            group.cancelAll()
        }
    }
}

/// The Postgres outbox's batches, as the ``RelayLoop`` drives them.
struct PostgresOutboxBatches: OutboxStore {
    let store: PostgresStore
    let producer: KafkaProducer
    let settings: OutboxRelaySettings
    let logger: Logger
    let publishedCounter: Counter
    let failureCounter: Counter

    init(store: PostgresStore, producer: KafkaProducer, settings: OutboxRelaySettings, logger: Logger, metricsFactory: any MetricsFactory) {
        self.store = store
        self.producer = producer
        self.settings = settings
        self.logger = logger
        self.publishedCounter = Counter(label: "outbox_published_total", dimensions: [], factory: metricsFactory)
        self.failureCounter = Counter(label: "outbox_publish_failures_total", dimensions: [], factory: metricsFactory)
    }

    struct PendingEvent: Sendable {
        let id: Int64
        let topic: String
        let key: String
        let eventID: String
        let eventType: String
        let traceparent: String?
        let payload: String
    }

    /// Claims aggregates, publishes their pending events, and records the outcome, in one transaction.
    func publishBatch() async throws -> RelayBatchOutcome {
        try await store.transaction { connection in
            var pending: [PendingEvent] = []
            let claim = ClaimPending(aggregates: settings.keysPerBatch, events: settings.eventsPerBatch)
            for try await event in try await connection.execute(claim, logger: logger) { pending.append(event) }
            guard !pending.isEmpty else { return RelayBatchOutcome() }
            let results = await publish(pending)
            let published = results.compactMap { $0.error == nil ? $0.id : nil }
            if !published.isEmpty {
                _ = try await connection.execute(MarkPublished(ids: published), logger: logger)
            }
            for failure in results where failure.error != nil {
                try await connection.query("UPDATE outbox SET attempts = attempts + 1, last_error = \(failure.error) WHERE id = \(failure.id)", logger: logger)
            }
            publishedCounter.increment(by: published.count)
            if results.count > published.count {
                failureCounter.increment(by: results.count - published.count)
                logger.warning("some outbox events could not be published",
                               metadata: ["failed": .stringConvertible(results.count - published.count), "error": .string(results.first { $0.error != nil }?.error ?? "")])
            }
            return RelayBatchOutcome(published: published.count, failed: results.count - published.count)
        }
    }

    /// In one statement: the oldest `$1` aggregates (topic + key) with pending events, of which
    /// those no other relay holds are claimed with a transaction-scoped advisory lock, and up to
    /// `$2` of their pending events in outbox order, locked (`SKIP LOCKED`). Both CTEs are
    /// materialized so each candidate's lock is tried exactly once. A prepared statement.
    struct ClaimPending: PostgresPreparedStatement {
        static let sql = """
            WITH candidates AS MATERIALIZED (
                SELECT topic, message_key FROM outbox WHERE published_at IS NULL
                GROUP BY topic, message_key ORDER BY min(id) LIMIT $1
            ), claimed AS MATERIALIZED (
                SELECT topic, message_key FROM candidates
                WHERE pg_try_advisory_xact_lock(hashtextextended('bazaar.outbox/' || topic || '/' || message_key, 0))
            )
            SELECT o.id, o.topic, o.message_key, o.event_id, o.event_type, o.traceparent, o.payload
            FROM outbox o JOIN claimed c ON o.topic = c.topic AND o.message_key = c.message_key
            WHERE o.published_at IS NULL ORDER BY o.id LIMIT $2 FOR UPDATE OF o SKIP LOCKED
            """
        typealias Row = PendingEvent
        let aggregates: Int
        let events: Int

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(aggregates)
            bindings.append(events)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> PendingEvent {
            let (id, topic, key, eventID, eventType, traceparent, payload) = try row.decode((Int64, String, String, String, String, String?, String).self)
            return PendingEvent(id: id, topic: topic, key: key, eventID: eventID, eventType: eventType, traceparent: traceparent, payload: payload)
        }
    }

    /// Marks the acknowledged events published; a prepared statement.
    struct MarkPublished: PostgresPreparedStatement {
        static let sql = "UPDATE outbox SET published_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ANY($1)"
        typealias Row = ()
        let ids: [Int64]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(ids)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws {}
    }

    struct PublishResult: Sendable {
        let id: Int64
        let error: String?
    }

    /// Publishes each aggregate's events in order (stopping at its first failure, so a later
    /// event never overtakes an earlier one) and different aggregates concurrently.
    private func publish(_ events: [PendingEvent]) async -> [PublishResult] {
        var byAggregate: [String: [PendingEvent]] = [:]
        var order: [String] = []
        for event in events {
            let aggregate = event.topic + "/" + event.key
            if byAggregate[aggregate] == nil { order.append(aggregate) }
            byAggregate[aggregate, default: []].append(event)
        }
        return await withTaskGroup(of: [PublishResult].self) { group in
            for aggregate in order {
                let sequence = byAggregate[aggregate]!
                group.addTask {
                    var results: [PublishResult] = []
                    for event in sequence {
                        do {
                            _ = try await producer.send(Self.message(for: event))
                            results.append(PublishResult(id: event.id, error: nil))
                        } catch {
                            results.append(PublishResult(id: event.id, error: String(describing: error)))
                            break
                        }
                    }
                    return results
                }
            }
            var all: [PublishResult] = []
            for await results in group { all += results }
            return all
        }
    }

    /// The Kafka record of an outbox row: key = aggregate id, value = the CloudEvent, and the
    /// routing headers consumers may use without parsing.
    static func message(for event: PendingEvent) -> KafkaOutgoingMessage {
        outboxMessage(topic: event.topic, key: event.key, eventID: event.eventID, eventType: event.eventType,
                      traceparent: event.traceparent, payload: event.payload)
    }

    func describe(_ error: any Error) -> String {
        PostgresFailure.describe(error)
    }

    func deletePublished(olderThan retention: Duration) async throws {
        let seconds = Int(retention.components.seconds)
        try await store.withConnection { connection in
            try await connection.run("DELETE FROM outbox WHERE published_at < now() - make_interval(secs => \(seconds))", logger: logger)
        }
    }
}
