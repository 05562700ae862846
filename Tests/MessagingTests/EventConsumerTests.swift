@testable import BazaarMessaging
import BazaarPostgresMessaging
import BazaarContracts
import BazaarKafka
import BazaarPostgres
import BazaarTestSupport
import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing

/// Produces `event` directly on its topic (as another service's relay would).
func produce<Payload: EventPayload>(_ event: CloudEvent<Payload>, prefix: String, producer: KafkaProducer) async throws {
    _ = try await producer.send(KafkaOutgoingMessage(topic: Payload.eventType.topic.name(prefix: prefix), key: event.subject,
                                                     value: try EventCodec.encode(event), headers: [("ce_type", Array(event.type.utf8))]))
}

/// Handlers that record each low-stock event in `effects`, optionally failing instead.
func recordingHandlers(failWith failure: (any Error)? = nil) -> EventHandlers {
    var handlers = EventHandlers()
    handlers.on(StockLow.self) { event, context in
        if let failure { throw failure }
        try await context.connection.query("INSERT INTO effects (event_id, note) VALUES (\(event.id), \(event.data.sku))", logger: context.logger)
    }
    return handlers
}

func eventConsumer(_ group: String, prefix: String, store: PostgresStore, producer: KafkaProducer, handlers: EventHandlers,
                   retry: RetryPolicy = RetryPolicy(maximumAttempts: 3, initialBackoff: .milliseconds(10)),
                   backlogPerPartition: Int = 64, maxBufferedMessages: Int = 100, maximumBatch: Int = 32) throws -> EventConsumer {
    var configuration = try TestKafka.consumerConfiguration(group: group)
    configuration.maxBufferedMessages = maxBufferedMessages
    let consumer = try KafkaConsumer(configuration: configuration,
                                     topics: handlers.topics.map { $0.name(prefix: prefix) }, logger: testLogger)
    return EventConsumer(name: group, consumer: consumer, deadLetterProducer: producer, store: store, handlers: handlers, retry: retry,
                         maximumBacklogPerPartition: backlogPerPartition, maximumBatch: maximumBatch, logger: testLogger)
}

@Suite("Idempotent consumers and dead letters (real Postgres, real broker)")
struct EventConsumerTests {
    @Test("a consumer killed after its effect but before committing the offset: the event is redelivered and has no second effect")
    func redeliveryHasNoSecondEffect() async throws {
        try await withMessagingStore { store in
            let prefix = TestKafka.uniquePrefix()
            let group = "inbox-\(UUID().uuidString.prefix(8))"
            try await TestKafka.withProducer { producer in
                let event = CloudEvent(stockLow("SKU-K", available: 2), source: "bazaar/test")
                try await produce(event, prefix: prefix, producer: producer)

                // The first consumer applies the event, then dies before storing or committing its offset.
                let doomed = try eventConsumer(group, prefix: prefix, store: store, producer: producer, handlers: recordingHandlers())
                let raw = doomed.consumer
                let running = Task { try await raw.run() }
                var iterator = raw.messages.makeAsyncIterator()
                let delivered = try #require(try await iterator.next())
                #expect(await doomed.process(delivered) == .handled)
                await raw.shutdown()
                _ = await running.result
                #expect(try await count("SELECT count(*)::int FROM effects", in: store) == 1)

                // Its successor in the group gets the same event again and acknowledges it without effect.
                let successor = try eventConsumer(group, prefix: prefix, store: store, producer: producer, handlers: recordingHandlers())
                try await whileRunning([successor]) {
                    try await eventually("the successor to acknowledge the duplicate") {
                        try await count("SELECT count(*)::int FROM inbox", in: store) == 1
                            && successor.outcomeCounts["duplicate", default: 0] >= 1
                    }
                }
                #expect(try await count("SELECT count(*)::int FROM effects", in: store) == 1)
            }
        }
    }

    @Test("a message that is not an event goes to the dead-letter topic at once, with the documented headers, and the consumer moves on")
    func poisonMessage() async throws {
        try await withMessagingStore { store in
            let prefix = TestKafka.uniquePrefix()
            let group = "poison-\(UUID().uuidString.prefix(8))"
            try await TestKafka.withProducer { producer in
                let poison = try await producer.send(KafkaOutgoingMessage(topic: prefix + "inventory", key: "SKU-P", value: Array("not json".utf8)))
                let good = CloudEvent(stockLow("SKU-P", available: 1), source: "bazaar/test")
                try await produce(good, prefix: prefix, producer: producer)
                let consumer = try eventConsumer(group, prefix: prefix, store: store, producer: producer, handlers: recordingHandlers())
                let dead = try await whileRunning([consumer]) {
                    let dead = try await TestKafka.collect([prefix + "inventory.dlq"], count: 1)
                    try await eventually("the good event's effect") { try await count("SELECT count(*)::int FROM effects", in: store) == 1 }
                    return dead
                }
                let record = try #require(dead.first)
                #expect(record.value == Array("not json".utf8))
                #expect(record.keyString == "SKU-P")
                #expect(record.headerString(DeadLetter.attemptsHeader) == "1")
                #expect(record.headerString(DeadLetter.originalTopicHeader) == prefix + "inventory")
                #expect(record.headerString(DeadLetter.originalPartitionHeader) == String(poison.partition))
                #expect(record.headerString(DeadLetter.originalOffsetHeader) == poison.offset.map(String.init))
                #expect(record.headerString(DeadLetter.consumerHeader) == group)
                #expect(record.headerString(DeadLetter.errorHeader)?.contains("not a valid CloudEvent") == true)
            }
        }
    }

    @Test("malformed events (bad JSON, a field of the wrong type, a missing field, a version of a handled event the catalog does not list) go to the dead-letter topic at once, each with its reason; another event type is skipped; the consumer carries on")
    func malformedEvents() async throws {
        try await withMessagingStore { store in
            let prefix = TestKafka.uniquePrefix()
            let group = "malformed-\(UUID().uuidString.prefix(8))"
            try await TestKafka.withProducer { producer in
                let valid = try #require(try JSONSerialization.jsonObject(
                    with: Data(EventCodec.encode(CloudEvent(stockLow("SKU-M", available: 1), source: "bazaar/test")))) as? [String: Any])
                func variant(_ change: (inout [String: Any], inout [String: Any]) -> Void) throws -> [UInt8] {
                    var event = valid, data = valid["data"] as? [String: Any] ?? [:]
                    change(&event, &data)
                    event["data"] = data
                    event["id"] = UUID().uuidString
                    return Array(try JSONSerialization.data(withJSONObject: event))
                }
                let malformed: [(reason: String, value: [UInt8])] = [
                    ("not a valid CloudEvent", Array(#"{"specversion":"1.0","id":"#.utf8)),
                    ("undecodable event", try variant { _, data in data["available"] = "two" }),
                    ("undecodable event", try variant { _, data in data.removeValue(forKey: "sku") }),
                    ("unknown event version: bazaar.stock.low.v2 is not in the event catalog (this consumer reads bazaar.stock.low.v1)",
                     try variant { event, _ in event["type"] = "bazaar.stock.low.v2" }),
                ]
                for message in malformed {
                    _ = try await producer.send(KafkaOutgoingMessage(topic: prefix + "inventory", key: "SKU-M", value: message.value))
                }
                _ = try await producer.send(KafkaOutgoingMessage(topic: prefix + "inventory", key: "SKU-M",
                                                                 value: try variant { event, _ in event["type"] = StockReserved.eventType.name }))
                try await produce(CloudEvent(stockLow("SKU-M", available: 1), source: "bazaar/test"), prefix: prefix, producer: producer)
                let consumer = try eventConsumer(group, prefix: prefix, store: store, producer: producer, handlers: recordingHandlers())
                let dead = try await whileRunning([consumer]) {
                    let dead = try await TestKafka.collect([prefix + "inventory.dlq"], count: malformed.count)
                    try await eventually("the good event's effect") { try await count("SELECT count(*)::int FROM effects", in: store) == 1 }
                    return dead
                }
                #expect(dead.map(\.value) == malformed.map(\.value))
                for (record, message) in zip(dead, malformed) {
                    let error = record.headerString(DeadLetter.errorHeader) ?? ""
                    #expect(error.hasPrefix(message.reason), "\(error)")
                    #expect(record.headerString(DeadLetter.attemptsHeader) == "1")
                }
                #expect(consumer.outcomeCounts["skipped", default: 0] == 1, "\(consumer.outcomeCounts)")
                #expect(try await count("SELECT count(*)::int FROM inbox", in: store) == 1)
            }
        }
    }

    @Test("an always-failing handler is retried, then its message goes to the dead-letter topic, and nothing was applied")
    func alwaysFailing() async throws {
        struct WarehouseOffline: Error, CustomStringConvertible { var description: String { "warehouse system offline" } }
        try await withMessagingStore { store in
            let prefix = TestKafka.uniquePrefix()
            let group = "failing-\(UUID().uuidString.prefix(8))"
            try await TestKafka.withProducer { producer in
                let event = CloudEvent(stockLow("SKU-F", available: 0), source: "bazaar/test")
                try await produce(event, prefix: prefix, producer: producer)
                let consumer = try eventConsumer(group, prefix: prefix, store: store, producer: producer,
                                                 handlers: recordingHandlers(failWith: WarehouseOffline()))
                let dead = try await whileRunning([consumer]) {
                    try await TestKafka.collect([prefix + "inventory.dlq"], count: 1)
                }
                let record = try #require(dead.first)
                #expect(record.headerString(DeadLetter.attemptsHeader) == "3")
                #expect(record.headerString(DeadLetter.errorHeader) == "warehouse system offline")
                #expect(record.headerString("ce_type") == "bazaar.stock.low.v1")
                #expect(try EventCodec.decode(StockLow.self, from: record.value).id == event.id)
                #expect(try await count("SELECT count(*)::int FROM effects", in: store) == 0)
                #expect(try await count("SELECT count(*)::int FROM inbox", in: store) == 0, "a failed attempt must roll back its inbox record")
            }
        }
    }

    @Test("the trace and request id flow from a request into its event, into the consumer, and into the events the handler emits")
    func traceFlows() async throws {
        try await withMessagingStore { store in
            let prefix = TestKafka.uniquePrefix()
            let group = "trace-\(UUID().uuidString.prefix(8))"
            let outbox = Outbox(source: "bazaar/test", topicPrefix: prefix)
            let requestTrace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
            try await TestKafka.withProducer { producer in
                var handlers = EventHandlers()
                handlers.on(StockLow.self) { event, context in
                    // The handler reacts by emitting another event in the same transaction.
                    try await outbox.append(StockReleased(orderId: "o-1", reservationId: "r-1", lines: [StockLine(sku: event.data.sku, quantity: 1)],
                                                          reason: .expired, releasedAt: Date()),
                                            context: context.eventContext, on: context.connection, logger: context.logger)
                }
                _ = try await append([stockLow("SKU-T", available: 1)], to: outbox, store: store,
                                     context: EventContext(traceparent: requestTrace, requestID: "req-42"))
                let consumer = try eventConsumer(group, prefix: prefix, store: store, producer: producer, handlers: handlers)
                let relay = OutboxRelay(store: store, producer: producer, settings: relaySettings, logger: testLogger)
                let messages = try await whileRunning([relay, consumer]) {
                    try await TestKafka.collect([prefix + "inventory"], count: 2)
                }
                let released = try #require(messages.first { $0.headerString("ce_type") == "bazaar.stock.released.v1" })
                let event = try EventCodec.decode(StockReleased.self, from: released.value)
                #expect(event.requestid == "req-42")
                #expect(event.traceparent?.contains("4bf92f3577b34da6a3ce929d0e0e4736") == true)
                #expect(event.traceparent != requestTrace, "the handler's event is a new span of the same trace")
            }
        }
    }
}

@Suite("Event consumer: partitions in parallel")
struct ParallelPartitionTests {
    @Test("partitions are handled in parallel: each of two events waits until the other's handler has started")
    func partitionsInParallel() async throws {
        try await withMessagingStore { store in
            let prefix = TestKafka.uniquePrefix()
            let started = Mutex<Set<String>>([])
            var handlers = EventHandlers()
            handlers.on(StockLow.self) { event, context in
                started.withLock { _ = $0.insert(event.data.sku) }
                // Handled one partition after the other, the first would wait here for ever.
                try await eventually("the other partition's handler to start", within: .seconds(60)) { started.withLock { $0.count == 2 } }
                try await context.connection.query("INSERT INTO effects (event_id, note) VALUES (\(event.id), \(event.data.sku))", logger: context.logger)
            }
            let parallelHandlers = handlers
            try await TestKafka.withProducer { producer in
                for (sku, partition) in [("SKU-P0", 0), ("SKU-P1", 1)] {
                    let event = CloudEvent(stockLow(sku, available: 1), source: "bazaar/test")
                    _ = try await producer.send(KafkaOutgoingMessage(topic: StockLow.eventType.topic.name(prefix: prefix), partition: partition,
                                                                     key: event.subject, value: try EventCodec.encode(event)))
                }
                let consumer = try eventConsumer("parallel-\(UUID().uuidString.prefix(8))", prefix: prefix, store: store, producer: producer,
                                                 handlers: parallelHandlers, retry: RetryPolicy(maximumAttempts: 1))
                try await whileRunning([consumer]) {
                    try await eventually("both events handled") { try await count("SELECT count(*)::int FROM effects", in: store) == 2 }
                }
                #expect(consumer.outcomeCounts["dead_lettered", default: 0] == 0)
            }
        }
    }

    @Test("a stuck partition with many events waiting holds up neither the others nor reading; paused and resumed, it loses and repeats nothing")
    func stuckPartitionIsPaused() async throws {
        try await withMessagingStore { store in
            let prefix = TestKafka.uniquePrefix()
            let otherHandled = Atomic<Bool>(false)
            var handlers = EventHandlers()
            handlers.on(StockLow.self) { event, context in
                if event.data.sku == "SKU-STUCK" {
                    // Until partition 1's event is handled, partition 0 cannot go on; had its backlog
                    // stopped the reading, that event would never arrive.
                    try await eventually("partition 1's event to be handled", within: .seconds(60)) { otherHandled.load(ordering: .acquiring) }
                }
                try await context.connection.query("INSERT INTO effects (event_id, note) VALUES (\(event.id), \(event.data.sku + ":" + String(event.data.available)))",
                                                   logger: context.logger)
                if event.data.sku == "SKU-OTHER" { otherHandled.store(true, ordering: .releasing) }
            }
            let stuckHandlers = handlers
            let topic = StockLow.eventType.topic.name(prefix: prefix)
            try await TestKafka.withProducer { producer in
                // Ten times the lane's limit and five times the consumer's buffer on partition 0, all
                // produced before partition 1's one event: partition 0 must be paused for that event
                // to be read, and resumed for the rest of its own.
                var messages: [KafkaOutgoingMessage] = []
                for index in 0..<40 {
                    let event = CloudEvent(stockLow("SKU-STUCK", available: index), source: "bazaar/test")
                    messages.append(KafkaOutgoingMessage(topic: topic, partition: 0, key: event.subject, value: try EventCodec.encode(event)))
                }
                for outcome in await producer.send(batch: messages) { _ = try outcome.get() }
                let other = CloudEvent(stockLow("SKU-OTHER", available: 0), source: "bazaar/test")
                _ = try await producer.send(KafkaOutgoingMessage(topic: topic, partition: 1, key: other.subject, value: try EventCodec.encode(other)))

                let consumer = try eventConsumer("stuck-\(UUID().uuidString.prefix(8))", prefix: prefix, store: store, producer: producer,
                                                 handlers: stuckHandlers, retry: RetryPolicy(maximumAttempts: 1), backlogPerPartition: 4,
                                                 maxBufferedMessages: 8)
                try await whileRunning([consumer]) {
                    try await eventually("all 41 events handled") { try await count("SELECT count(*)::int FROM effects", in: store) == 41 }
                }
                #expect(consumer.outcomeCounts["duplicate", default: 0] == 0, "\(consumer.outcomeCounts)")
                #expect(consumer.outcomeCounts["dead_lettered", default: 0] == 0, "\(consumer.outcomeCounts)")
            }
            var rounds: [Int] = []
            let rows = try await store.client.query("SELECT note FROM effects WHERE note LIKE 'SKU-STUCK:%' ORDER BY ctid", logger: store.logger)
            for try await note in rows.decode(String.self) { rounds.append(Int(note.split(separator: ":").last!)!) }
            #expect(rounds == Array(0..<40), "partition 0, in order, each once: \(rounds)")
        }
    }

    @Test("waiting events are applied in batches, one transaction each; a batch with a failing event is rolled back and applied one by one: the others once each, in order, the failing one dead-lettered")
    func batches() async throws {
        struct ScannerJam: Error, CustomStringConvertible { var description: String { "scanner jammed" } }
        try await withMessagingStore { store in
            let prefix = TestKafka.uniquePrefix()
            var handlers = EventHandlers()
            handlers.on(StockLow.self) { event, context in
                if event.data.available == 20 { throw ScannerJam() }
                try await context.connection.query("""
                    INSERT INTO effects (event_id, note) VALUES (\(event.id), \(String(event.data.available)) || ':' || txid_current())
                    """, logger: context.logger)
            }
            let batchHandlers = handlers
            try await TestKafka.withProducer { producer in
                // All 40 wait on one partition (one key) before the consumer starts.
                for available in 0..<40 {
                    try await produce(CloudEvent(stockLow("SKU-BATCH", available: available), source: "bazaar/test"), prefix: prefix, producer: producer)
                }
                let consumer = try eventConsumer("batches-\(UUID().uuidString.prefix(8))", prefix: prefix, store: store, producer: producer,
                                                 handlers: batchHandlers, maximumBatch: 8)
                let dead = try await whileRunning([consumer]) {
                    try await eventually("39 events applied") { try await count("SELECT count(*)::int FROM effects", in: store) == 39 }
                    return try await TestKafka.collect([prefix + "inventory.dlq"], count: 1)
                }
                #expect(dead.count == 1)
                #expect(try dead.first.map { try EventCodec.decode(StockLow.self, from: $0.value).data.available } == 20)
                #expect(dead.first?.headerString(DeadLetter.errorHeader) == "scanner jammed")
                var applied: [Int] = []
                var perTransaction: [String: Int] = [:]
                let rows = try await store.client.query("SELECT note FROM effects ORDER BY ctid", logger: store.logger)
                for try await note in rows.decode(String.self) {
                    let parts = note.split(separator: ":")
                    applied.append(Int(parts[0])!)
                    perTransaction[String(parts[1]), default: 0] += 1
                }
                #expect(applied == Array(0..<20) + Array(21..<40))
                #expect(perTransaction.values.contains { $0 > 1 }, "no two events shared a transaction: \(perTransaction)")
                #expect(perTransaction.values.allSatisfy { $0 <= 8 })
            }
        }
    }

    @Test("one partition's events are handled in order, one at a time, while other partitions go on")
    func orderWithinPartition() async throws {
        try await withMessagingStore { store in
            let prefix = TestKafka.uniquePrefix()
            let running = Mutex<[String: Int]>([:])
            let overlapped = Atomic<Bool>(false)
            var handlers = EventHandlers()
            handlers.on(StockLow.self) { event, context in
                let concurrent = running.withLock { running -> Int in
                    running[event.data.sku, default: 0] += 1
                    return running[event.data.sku]!
                }
                if concurrent > 1 { overlapped.store(true, ordering: .sequentiallyConsistent) }
                try await context.connection.query("INSERT INTO effects (event_id, note) VALUES (\(event.id), \(event.data.sku + ":" + String(event.data.available)))",
                                                   logger: context.logger)
                running.withLock { $0[event.data.sku, default: 0] -= 1 }
            }
            let orderedHandlers = handlers
            try await TestKafka.withProducer { producer in
                for round in 0..<20 {
                    for sku in ["SKU-A", "SKU-B", "SKU-C"] {
                        try await produce(CloudEvent(stockLow(sku, available: round), source: "bazaar/test"), prefix: prefix, producer: producer)
                    }
                }
                let consumer = try eventConsumer("ordered-\(UUID().uuidString.prefix(8))", prefix: prefix, store: store, producer: producer,
                                                 handlers: orderedHandlers)
                try await whileRunning([consumer]) {
                    try await eventually("all 60 events handled") { try await count("SELECT count(*)::int FROM effects", in: store) == 60 }
                }
            }
            let didOverlap = overlapped.load(ordering: .sequentiallyConsistent)
            #expect(!didOverlap, "two events of one aggregate were handled at once")
            // The inbox records the order each event was committed in (its row order per SKU).
            for sku in ["SKU-A", "SKU-B", "SKU-C"] {
                var rounds: [Int] = []
                let rows = try await store.client.query("SELECT note FROM effects WHERE note LIKE \(sku + ":%") ORDER BY ctid", logger: store.logger)
                for try await note in rows.decode(String.self) { rounds.append(Int(note.split(separator: ":").last!)!) }
                #expect(rounds == Array(0..<20), "\(sku): \(rounds)")
            }
        }
    }
}

@Suite("Event dispositions")
struct EventDispositionTests {
    @Test("a handled type is handled; an uncatalogued version of it (or none) is dead-lettered, naming the versions read; any other type of the catalog, or unknown event, is skipped")
    func dispositions() {
        let handlers = recordingHandlers()
        #expect(handlers.disposition(of: "bazaar.stock.low.v1") == .handle)
        #expect(handlers.disposition(of: "bazaar.stock.low.v2") == .unsupportedVersion(readable: ["bazaar.stock.low.v1"]))
        #expect(handlers.disposition(of: "bazaar.stock.low.v10") == .unsupportedVersion(readable: ["bazaar.stock.low.v1"]))
        #expect(handlers.disposition(of: "bazaar.stock.low") == .unsupportedVersion(readable: ["bazaar.stock.low.v1"]))
        for other in ["bazaar.stock.reserved.v1", "bazaar.stock.low.", "bazaar.stock.low.v", "bazaar.stock.low.vx",
                      "bazaar.stock.lower.v1", "bazaar.stock.v1", "", "."] {
            #expect(handlers.disposition(of: other) == .skip, "\(other)")
        }
    }
}
