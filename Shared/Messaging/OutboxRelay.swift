public import BazaarKafka
public import BazaarPostgres
public import Logging
public import ServiceLifecycle
import Metrics
import PostgresNIO

/// How the relay paces itself.
public struct OutboxRelaySettings: Sendable {
    /// How often to look for events when no notification arrives (the fallback to LISTEN/NOTIFY).
    public var pollInterval: Duration = .seconds(1)
    /// Aggregates (topic + key) claimed per batch.
    public var keysPerBatch = 50
    /// Events published per batch at most.
    public var eventsPerBatch = 500
    /// Published rows are deleted after this long.
    public var retention: Duration = .seconds(7 * 24 * 3600)
    public var cleanupInterval: Duration = .seconds(600)
    /// Back-off after a failed batch starts here and doubles up to `maximumBackoff`.
    public var initialBackoff: Duration = .milliseconds(200)
    public var maximumBackoff: Duration = .seconds(30)

    public init() {}
}

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
///   backs off while the broker or database is down, and deletes published rows after `retention`.
public final class OutboxRelay: Service, Sendable {
    let store: PostgresStore
    let producer: KafkaProducer
    let settings: OutboxRelaySettings
    let logger: Logger
    private let wakeup = WakeupSignal()

    public init(store: PostgresStore, producer: KafkaProducer, settings: OutboxRelaySettings = .init(), logger: Logger) {
        self.store = store
        self.producer = producer
        self.settings = settings
        self.logger = logger
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.listenForNotifications() }
            await withGracefulShutdownHandler {
                await self.relayUntilShutdown()
            } onGracefulShutdown: {
                self.wakeup.signal()
            }
            group.cancelAll()
        }
    }

    private func relayUntilShutdown() async {
        var backoff = settings.initialBackoff
        var lastCleanup = ContinuousClock.now
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let outcome = try await publishBatch()
                backoff = settings.initialBackoff
                if outcome.failed > 0 {
                    // The broker refused or timed out; try again later rather than spin.
                    await wakeup.wait(timeout: backoff)
                    backoff = min(backoff * 2, settings.maximumBackoff)
                } else if outcome.published == 0 || outcome.published < settings.eventsPerBatch {
                    await wakeup.wait(timeout: settings.pollInterval)
                }
                if ContinuousClock.now - lastCleanup > settings.cleanupInterval {
                    lastCleanup = .now
                    try await deletePublished()
                }
            } catch {
                logger.warning("outbox relay batch failed", metadata: ["error": .string(PostgresFailure.describe(error))])
                await wakeup.wait(timeout: backoff)
                backoff = min(backoff * 2, settings.maximumBackoff)
            }
        }
    }

    /// Keeps a connection listening for commits of new outbox rows, reconnecting after failures.
    private func listenForNotifications() async {
        while !Task.isCancelled {
            do {
                try await store.client.withConnection { connection in
                    try await connection.listen(on: Outbox.notificationChannel) { notifications in
                        for try await _ in notifications { wakeup.signal() }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.debug("outbox listener reconnecting", metadata: ["error": .string(PostgresFailure.describe(error))])
                do { try await Task.sleep(for: .seconds(1)) } catch { return }
            }
        }
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

    struct BatchOutcome {
        var published = 0
        var failed = 0
    }

    /// Claims aggregates, publishes their pending events, and records the outcome, in one transaction.
    func publishBatch() async throws -> BatchOutcome {
        try await store.transaction { connection in
            let claimed = try await claimAggregates(on: connection)
            guard !claimed.isEmpty else { return BatchOutcome() }
            var pending: [PendingEvent] = []
            let rows = try await connection.query("""
                SELECT id, topic, message_key, event_id, event_type, traceparent, payload FROM outbox
                WHERE published_at IS NULL AND topic || '/' || message_key = ANY(\(claimed))
                ORDER BY id LIMIT \(settings.eventsPerBatch) FOR UPDATE SKIP LOCKED
                """, logger: logger)
            for try await (id, topic, key, eventID, eventType, traceparent, payload) in rows.decode((Int64, String, String, String, String, String?, String).self) {
                pending.append(PendingEvent(id: id, topic: topic, key: key, eventID: eventID, eventType: eventType, traceparent: traceparent, payload: payload))
            }
            let results = await publish(pending)
            let published = results.compactMap { $0.error == nil ? $0.id : nil }
            if !published.isEmpty {
                try await connection.query("UPDATE outbox SET published_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ANY(\(published))", logger: logger)
            }
            for failure in results where failure.error != nil {
                try await connection.query("UPDATE outbox SET attempts = attempts + 1, last_error = \(failure.error) WHERE id = \(failure.id)", logger: logger)
            }
            Counter(label: "outbox_published_total").increment(by: published.count)
            if results.count > published.count {
                Counter(label: "outbox_publish_failures_total").increment(by: results.count - published.count)
                logger.warning("some outbox events could not be published; will retry",
                               metadata: ["failed": .stringConvertible(results.count - published.count), "error": .string(results.first { $0.error != nil }?.error ?? "")])
            }
            return BatchOutcome(published: published.count, failed: results.count - published.count)
        }
    }

    /// The `topic/key` of up to `keysPerBatch` aggregates with pending events that no other relay holds.
    private func claimAggregates(on connection: PostgresConnection) async throws -> [String] {
        var candidates: [String] = []
        let rows = try await connection.query("""
            SELECT topic || '/' || message_key AS aggregate FROM outbox WHERE published_at IS NULL
            GROUP BY topic, message_key ORDER BY min(id) LIMIT \(settings.keysPerBatch)
            """, logger: logger)
        for try await aggregate in rows.decode(String.self) { candidates.append(aggregate) }
        guard !candidates.isEmpty else { return [] }
        var claimed: [String] = []
        let locks = try await connection.query("""
            SELECT aggregate FROM unnest(\(candidates)::text[]) AS aggregate
            WHERE pg_try_advisory_xact_lock(hashtextextended('bazaar.outbox/' || aggregate, 0))
            """, logger: logger)
        for try await aggregate in locks.decode(String.self) { claimed.append(aggregate) }
        return claimed
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
                            _ = try await self.producer.send(Self.message(for: event))
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

    private func deletePublished() async throws {
        let seconds = Int(settings.retention.components.seconds)
        try await store.client.query("DELETE FROM outbox WHERE published_at < now() - make_interval(secs => \(seconds))", logger: logger)
    }
}

/// The Kafka record of an outbox entry, whichever store kept it: key = aggregate id, value = the
/// CloudEvent, and the routing headers consumers may use without parsing the value.
public func outboxMessage(topic: String, key: String, eventID: String, eventType: String, traceparent: String?,
                          payload: String) -> KafkaOutgoingMessage {
    var headers: [(String, [UInt8])] = [
        ("ce_type", Array(eventType.utf8)),
        ("ce_id", Array(eventID.utf8)),
        ("content-type", Array("application/cloudevents+json".utf8)),
    ]
    if let traceparent { headers.append(("traceparent", Array(traceparent.utf8))) }
    return KafkaOutgoingMessage(topic: topic, key: key, value: Array(payload.utf8), headers: headers)
}
