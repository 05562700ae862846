import ArgumentParser
import BazaarContracts
import BazaarCore
import BazaarKafka
import BazaarMessaging
import BazaarPostgresMessaging
import BazaarPostgres
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// Events handled per second by one consumer process (``EventConsumer``: inbox + effect in one
/// Postgres transaction per event), with every event on one partition and spread over six.
///
/// Runs against a started infrastructure (`BAZAAR_POSTGRES_ADMIN_URL`, `BAZAAR_KAFKA_BROKERS`,
/// as `bazaar infra` writes them; `run.sh` starts one on its own ports). Bounded: a fixed number
/// of events per case and a time limit; loopback only.
@main
struct ConsumerBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bazaar-consumer-benchmark",
                                                    abstract: "Events handled per second by one consumer: one partition vs six.")

    @Option(help: "Events per case (at most 10 000: the dev broker keeps about 5 MB per partition and drops older messages).")
    var events = 5_000
    @Option(help: "Postgres connections of the consumer's pool.")
    var poolSize = 8
    @Option(help: "Messages waiting in one partition's lane before the partition is paused (EventConsumer's maximumBacklogPerPartition).")
    var backlog = 256
    @Flag(help: "Log the consumer's warnings and notices (rebalances, errors) to stderr.")
    var verbose = false

    func validate() throws {
        // Each event is about 350 bytes; beyond ~14 000 in one partition the dev broker (librdkafka's
        // mock cluster) has already dropped the first ones and the count would never be reached.
        guard (1...10_000).contains(events) else { throw ValidationError("--events must be between 1 and 10000") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let adminURL = environment["BAZAAR_POSTGRES_ADMIN_URL"], let brokers = environment["BAZAAR_KAFKA_BROKERS"] else {
            throw ValidationError("BAZAAR_POSTGRES_ADMIN_URL and BAZAAR_KAFKA_BROKERS must be set (source a run's infra.env)")
        }
        let watchdog = Task {
            try await Task.sleep(for: .seconds(600))
            FileHandle.standardError.write(Data("benchmark time limit reached\n".utf8))
            Foundation.exit(2)
        }
        defer { watchdog.cancel() }
        var logger = Logger(label: "consumer-benchmark")
        logger.logLevel = verbose ? .info : .error
        #if DEBUG
        let build = "debug build: measure release"
        #else
        let build = "release build"
        #endif
        print("events handled per second by one consumer process (\(events) events per case, pool \(poolSize), \(build))")
        for partitions in [1, 6] {
            let (rate, peak) = try await measure(partitions: partitions, adminURL: adminURL, brokers: brokers.split(separator: ",").map(String.init), logger: logger)
            print(String(format: "  %d partition%@: %8.0f events/s  (at most %d handlers at once)", partitions, partitions == 1 ? " " : "s", rate, peak))
        }
    }

    /// Produces the events first, then times the consumer from its first handled event to its last.
    func measure(partitions: Int, adminURL: String, brokers: [String], logger: Logger) async throws -> (eventsPerSecond: Double, peakHandlers: Int) {
        let database = "bench_consumer_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = PostgresStore(configuration: try .from(Settings(["DATABASE_URL": adminURL])), logger: logger)
        let adminTask = Task { await admin.run() }
        try await admin.client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(database)"), logger: logger)
        var components = URLComponents(string: adminURL)!
        components.path = "/\(database)"
        let store = PostgresStore(configuration: try .from(Settings(["DATABASE_URL": components.string!, "DATABASE_POOL_MAX": String(poolSize)])),
                                  logger: logger)
        let storeTask = Task { await store.run() }
        let effects = Migration(version: 1, name: "effects", sql: "CREATE TABLE effects (event_id text PRIMARY KEY, sku text NOT NULL)")
        try await MigrationRunner(store: store).apply([effects] + MessagingMigrations.all)

        // Catalog topics have six partitions on the run's fresh dev broker (a throw-away topic
        // would get four); each case gets a topic of its own, so neither reads the other's events
        // (the handler goes by the event type, not the topic).
        let prefix = "bench-\(UUID().uuidString.prefix(8).lowercased())."
        let topic = partitions == 1 ? TopicCatalog.orders.name : TopicCatalog.inventory.name
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: brokers, clientID: "benchmark", linger: .milliseconds(5)))
        let producing = Task { try await producer.run() }
        var messages: [KafkaOutgoingMessage] = []
        for index in 0..<events {
            let event = CloudEvent(StockLow(sku: "SKU-\(index % 600)", available: index, threshold: 10, occurredAt: Date()), source: "bazaar/benchmark")
            messages.append(KafkaOutgoingMessage(topic: topic, partition: index % partitions, key: event.subject, value: try EventCodec.encode(event)))
        }
        for outcome in await producer.send(batch: messages) { _ = try outcome.get() }

        let first = Mutex<ContinuousClock.Instant?>(nil)
        let handled = Atomic<Int>(0)
        let running = Atomic<Int>(0)
        let peak = Atomic<Int>(0)
        var handlers = EventHandlers()
        handlers.on(StockLow.self) { event, context in
            first.withLock { if $0 == nil { $0 = .now } }
            let now = running.add(1, ordering: .relaxed).newValue
            peak.max(now, ordering: .relaxed)
            defer { running.subtract(1, ordering: .relaxed) }
            try await context.connection.query("INSERT INTO effects (event_id, sku) VALUES (\(event.id), \(event.data.sku))", logger: context.logger)
            handled.add(1, ordering: .relaxed)
        }
        let consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(bootstrapServers: brokers, groupID: prefix + "benchmark", clientID: "benchmark",
                                                      sessionTimeout: .seconds(6), fetchWaitMax: .milliseconds(10), autoOffsetReset: .earliest),
            topics: [topic], logger: logger)
        let eventConsumer = EventConsumer(name: "benchmark", consumer: consumer, deadLetterProducer: producer, store: store, handlers: handlers,
                                          maximumBacklogPerPartition: backlog, logger: logger)
        let consuming = Task { try await eventConsumer.run() }
        while handled.load(ordering: .relaxed) < events {
            try await Task.sleep(for: .milliseconds(5))
        }
        let last = ContinuousClock.now
        let elapsed = last - (first.withLock { $0 } ?? last)
        await consumer.shutdown()
        _ = await consuming.result
        producing.cancel()
        _ = await producing.result
        storeTask.cancel()
        try await admin.client.query(PostgresQuery(unsafeSQL: "DROP DATABASE \(database) WITH (FORCE)"), logger: logger)
        adminTask.cancel()
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return (Double(events - 1) / max(seconds, 1e-9), peak.load(ordering: .relaxed))
    }
}
