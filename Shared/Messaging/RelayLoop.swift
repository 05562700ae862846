public import BazaarKafka
public import Metrics
import BazaarCore
public import Logging
import ServiceLifecycle
import Synchronization

/// How a relay paces itself, whichever store its outbox is in.
public struct OutboxRelaySettings: Sendable {
    /// How often to look for events when no wake-up arrives (the fallback to notifications).
    public var pollInterval: Duration = .seconds(1)
    /// Aggregates (topic + key) claimed per batch (Postgres).
    public var keysPerBatch = 50
    /// Events published per batch at most.
    public var eventsPerBatch = 500
    /// Published rows are deleted after this long.
    public var retention: Duration = .seconds(7 * 24 * 3600)
    public var cleanupInterval: Duration = .seconds(600)
    /// Back-off after a failed batch starts here and doubles with each failure in a row, up to
    /// `maximumBackoff`; a batch without failures resets it.
    public var initialBackoff: Duration = .milliseconds(200)
    public var maximumBackoff: Duration = .seconds(30)

    public init() {}
}

/// What one batch of a relay did.
public struct RelayBatchOutcome: Sendable, Equatable {
    /// Events the broker acknowledged (and that are now marked published).
    public var published: Int
    /// Events the broker refused or did not acknowledge in time (left for the next batch).
    public var failed: Int
    /// Whether the relay may not publish now (another replica holds the outbox); it then waits
    /// a poll interval, as when there is nothing to do.
    public var standingBy: Bool

    public init(published: Int = 0, failed: Int = 0, standingBy: Bool = false) {
        self.published = published
        self.failed = failed
        self.standingBy = standingBy
    }
}

/// One store's outbox, as the shared ``RelayLoop`` drives it.
public protocol OutboxStore: Sendable {
    /// Publishes the next pending events in order and marks those the broker acknowledged.
    /// Throws when the store itself could not be read or written.
    func publishBatch() async throws -> RelayBatchOutcome
    /// Deletes events published longer than `retention` ago.
    func deletePublished(olderThan retention: Duration) async throws
    /// How to show the store's errors in logs (a driver's error may hide its details from
    /// `description`).
    func describe(_ error: any Error) -> String
}

extension OutboxStore {
    public func describe(_ error: any Error) -> String { "\(error)" }
}

/// The loop every outbox relay runs, whatever its store (Postgres, MongoDB, Redis): publish a
/// batch; when it published a full batch go on at once, when there was nothing (or not all) to
/// do wait for a wake-up or the poll interval, and after a failure back off — 200 ms doubling
/// to 30 s while failures continue, reset by the first batch without one. Published events
/// are pruned every `cleanupInterval`.
///
/// Every wait ends at once on graceful shutdown, so a relay that is backing off from a long
/// broker outage does not hold up the service's exit. A wake-up (a new event) ends an idle wait
/// but not a back-off: retrying a broker that just failed for every new order would defeat it.
///
/// The current back-off is exported as `outbox_relay_backoff_seconds{store}` (0 while healthy),
/// so an operator sees a relay that cannot publish.
public final class RelayLoop: Sendable {
    let store: any OutboxStore
    let settings: OutboxRelaySettings
    let logger: Logger
    /// Signalled by the store's notifications (a commit of a new event) and at shutdown.
    public let wakeup: WakeupSignal
    private let shuttingDown = Atomic<Bool>(false)
    private let backoffState = Mutex<Duration>(.zero)
    private let batches = Atomic<Int>(0)
    private let backoffGauge: Gauge

    /// A loop for `store`; `storeName` labels its metric (`postgres`, `mongodb`).
    public init(store: any OutboxStore, storeName: String, settings: OutboxRelaySettings, wakeup: WakeupSignal = WakeupSignal(),
                logger: Logger, metricsFactory: any MetricsFactory) {
        self.store = store
        self.settings = settings
        self.logger = logger
        self.wakeup = wakeup
        self.backoffGauge = Gauge(label: "outbox_relay_backoff_seconds", dimensions: [("store", storeName)], factory: metricsFactory)
    }

    /// The back-off the relay is in after failures, zero while batches succeed.
    public var currentBackoff: Duration { backoffState.withLock { $0 } }

    /// Batches run so far, for tests that need a relay to have looked at its outbox.
    public var batchesRun: Int { batches.load(ordering: .sequentiallyConsistent) }

    /// Runs until graceful shutdown (or cancellation).
    public func run() async {
        await withGracefulShutdownHandler {
            await loop()
        } onGracefulShutdown: {
            self.shuttingDown.store(true, ordering: .sequentiallyConsistent)
            self.wakeup.signal()
        }
    }

    private var isStopping: Bool {
        Task.isCancelled || shuttingDown.load(ordering: .sequentiallyConsistent)
    }

    private func loop() async {
        var lastCleanup = ContinuousClock.now
        while !isStopping {
            do {
                let outcome = try await store.publishBatch()
                batches.add(1, ordering: .sequentiallyConsistent)
                if outcome.failed > 0 {
                    // The broker refused or timed out; try again later rather than spin.
                    await backOff(after: "some events could not be published", metadata: ["failed": .stringConvertible(outcome.failed)])
                    continue
                }
                recordBackoff(.zero)
                if ContinuousClock.now - lastCleanup > settings.cleanupInterval {
                    lastCleanup = .now
                    try await store.deletePublished(olderThan: settings.retention)
                }
                if outcome.standingBy || outcome.published < settings.eventsPerBatch {
                    await wakeup.wait(timeout: settings.pollInterval)
                }
            } catch {
                if isStopping { return }
                await backOff(after: "batch failed", metadata: ["error": .string(store.describe(error))])
            }
        }
    }

    /// Doubles the back-off (starting at the initial one), logs it and sleeps it out.
    private func backOff(after problem: String, metadata: Logger.Metadata) async {
        let backoff = backoffState.withLock { backoff in
            backoff = backoff == .zero ? settings.initialBackoff : min(backoff * 2, settings.maximumBackoff)
            return backoff
        }
        recordBackoff(backoff)
        logger.warning("outbox relay: \(problem); retrying", metadata: metadata.merging(["backoff_ms": .stringConvertible(backoff.milliseconds)]) { $1 })
        let deadline = ContinuousClock.now + backoff
        while !isStopping {
            let remaining = deadline - .now
            if remaining <= .zero { return }
            await wakeup.wait(timeout: remaining)
        }
    }

    private func recordBackoff(_ backoff: Duration) {
        backoffState.withLock { $0 = backoff }
        backoffGauge.record(backoff.seconds)
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
