import BazaarContracts
import BazaarCore
import BazaarKafka
import BazaarMessaging
import BazaarPostgresMessaging
import BazaarPostgres
import BazaarTestSupport
import Foundation
import Testing

@Suite("Transactional outbox and relay (real Postgres, real broker)")
struct OutboxRelayTests {
    @Test("committed events are published once, keyed by aggregate, with routing headers, in order per aggregate; rolled-back ones never")
    func publishesCommittedEvents() async throws {
        try await withMessagingStore { store in
            let prefix = TestKafka.uniquePrefix()
            let outbox = Outbox(source: "bazaar/test", topicPrefix: prefix)
            var expected: [String: [Int]] = [:]
            for round in 0..<5 {
                for sku in ["SKU-A", "SKU-B"] {
                    _ = try await append([stockLow(sku, available: round)], to: outbox, store: store)
                    expected[sku, default: []].append(round)
                }
            }
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await store.transaction { connection in
                    try await outbox.append(stockLow("SKU-ROLLED-BACK", available: 1), context: .background(), on: connection, logger: store.logger)
                    throw Abort()
                }
            }
            let expectedOrder = expected
            try await TestKafka.withProducer { producer in
                let relay = OutboxRelay(store: store, producer: producer, settings: relaySettings, logger: testLogger)
                let messages = try await whileRunning([relay]) {
                    try await TestKafka.collect([prefix + "inventory"], count: 10, settle: .milliseconds(500))
                }
                #expect(messages.count == 10)
                var seen: [String: [Int]] = [:]
                for message in messages.sorted(by: { ($0.partition, $0.offset) < ($1.partition, $1.offset) }) {
                    let event = try EventCodec.decode(StockLow.self, from: message.value)
                    #expect(message.keyString == event.subject)
                    #expect(message.headerString("ce_type") == "bazaar.stock.low.v1")
                    #expect(message.headerString("ce_id") == event.id)
                    #expect(message.headerString("traceparent") == event.traceparent)
                    seen[event.subject, default: []].append(event.data.available)
                }
                #expect(seen == expectedOrder)
                #expect(try await count("SELECT count(*)::int FROM outbox WHERE published_at IS NULL", in: store) == 0)
            }
        }
    }

    @Test("a committed event wakes an idle relay through the outbox's trigger, without waiting for its poll")
    func wakesOnCommit() async throws {
        try await withMessagingStore { store in
            let prefix = TestKafka.uniquePrefix()
            let outbox = Outbox(source: "bazaar/test", topicPrefix: prefix)
            let settings = relaySettings {
                $0.pollInterval = .seconds(3600)
            }
            try await TestKafka.withProducer { producer in
                let relay = OutboxRelay(store: store, producer: producer, settings: settings, logger: testLogger)
                let (events, messages) = try await whileRunning([relay]) {
                    try await eventually("the relay to find the outbox empty and listen for commits") {
                        let listening = try await count("""
                            SELECT count(*)::int FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'
                            """, in: store)
                        return relay.loop.batchesRun >= 1 && listening >= 1
                    }
                    let events = try await append([stockLow("SKU-W", available: 2)], to: outbox, store: store)
                    // Published long before the relay's hour-long poll would have come round.
                    try await eventually("the relay to publish the event") {
                        try await count("SELECT count(*)::int FROM outbox WHERE published_at IS NOT NULL", in: store) == 1
                    }
                    return (events, try await TestKafka.collect([prefix + "inventory"], count: 1))
                }
                #expect(messages.map { $0.headerString("ce_id") } == [events[0].id])
            }
        }
    }

    @Test("an event committed while no relay runs is published once when a relay starts")
    func publishedAfterRestart() async throws {
        try await withMessagingStore { store in
            let prefix = TestKafka.uniquePrefix()
            let outbox = Outbox(source: "bazaar/test", topicPrefix: prefix)
            try await TestKafka.withProducer { producer in
                // First relay runs and stops; then an event is committed; then a new relay starts.
                let first = OutboxRelay(store: store, producer: producer, settings: relaySettings, logger: testLogger)
                try await whileRunning([first]) {
                    try await eventually("the first relay to look at the empty outbox") { first.loop.batchesRun >= 1 }
                }
                let events = try await append([stockLow("SKU-R", available: 3)], to: outbox, store: store)
                let messages = try await whileRunning([OutboxRelay(store: store, producer: producer, settings: relaySettings, logger: testLogger)]) {
                    try await TestKafka.collect([prefix + "inventory"], count: 1, settle: .seconds(1))
                }
                #expect(messages.count == 1)
                #expect(messages.first?.headerString("ce_id") == events[0].id)
            }
        }
    }

    @Test("published rows are deleted after the retention period")
    func retention() async throws {
        try await withMessagingStore { store in
            let prefix = TestKafka.uniquePrefix()
            let outbox = Outbox(source: "bazaar/test", topicPrefix: prefix)
            let settings = relaySettings {
                $0.retention = .zero
                $0.cleanupInterval = .zero
            }
            _ = try await append([stockLow("SKU-RET", available: 1)], to: outbox, store: store)
            try await TestKafka.withProducer { producer in
                let relay = OutboxRelay(store: store, producer: producer, settings: settings, logger: testLogger)
                try await whileRunning([relay]) {
                    try await eventually("the published row to be deleted") {
                        try await count("SELECT count(*)::int FROM outbox", in: store) == 0
                    }
                }
            }
        }
    }

    @Test("with two relays running, every event is published exactly once and in order per aggregate")
    func twoRelays() async throws {
        try await withMessagingStore { store in
            let prefix = TestKafka.uniquePrefix()
            let outbox = Outbox(source: "bazaar/test", topicPrefix: prefix)
            let skus = (0..<20).map { "SKU-\($0)" }
            for round in 0..<10 {
                _ = try await append(skus.map { stockLow($0, available: round) }, to: outbox, store: store)
            }
            try await TestKafka.withProducer { first in
                try await TestKafka.withProducer { second in
                    let relays = [OutboxRelay(store: store, producer: first, settings: relaySettings, logger: testLogger),
                                  OutboxRelay(store: store, producer: second, settings: relaySettings, logger: testLogger)]
                    let messages = try await whileRunning(relays) {
                        try await TestKafka.collect([prefix + "inventory"], count: 200, timeout: .seconds(60), settle: .seconds(1))
                    }
                    let ids = messages.compactMap { $0.headerString("ce_id") }
                    #expect(ids.count == 200)
                    #expect(Set(ids).count == 200, "an event was published twice")
                    var bySKU: [String: [Int]] = [:]
                    for message in messages.sorted(by: { ($0.partition, $0.offset) < ($1.partition, $1.offset) }) {
                        let event = try EventCodec.decode(StockLow.self, from: message.value)
                        bySKU[event.subject, default: []].append(event.data.available)
                    }
                    for sku in skus { #expect(bySKU[sku] == Array(0..<10), "\(sku) out of order: \(bySKU[sku] ?? [])") }
                }
            }
        }
    }
}

@Suite("Relay back-off")
struct RelayBackoffTests {
    @Test("while the broker keeps failing, the relay's back-off doubles up to its maximum; success resets it")
    func backoffGrows() async throws {
        let broker = try await PrivateBroker.start()
        try await withMessagingStore { store in
            let outbox = Outbox(source: "bazaar/test", topicPrefix: TestKafka.uniquePrefix())
            let settings = relaySettings {
                $0.initialBackoff = .milliseconds(50)
                $0.maximumBackoff = .milliseconds(400)
            }
            let metrics = ServiceMetrics()
            try await TestKafka.withProducer(brokers: broker.brokers, messageTimeout: .milliseconds(300)) { producer in
                let relay = OutboxRelay(store: store, producer: producer, settings: settings, logger: testLogger, metricsFactory: metrics.factory)
                try await whileRunning([relay]) {
                    broker.takeDown()
                    _ = try await append([stockLow("SKU-BACKOFF", available: 1)], to: outbox, store: store)
                    // 50 → 100 → 200 → 400 ms: only a back-off that grows gets there.
                    try await eventually("the back-off to reach its maximum") { relay.loop.currentBackoff == .milliseconds(400) }
                    #expect(String(decoding: metrics.exposition(), as: UTF8.self).contains(#"outbox_relay_backoff_seconds{store="postgres"} 0.4"#))
                    broker.bringUp()
                    try await eventually("the event to be published and the back-off reset") {
                        try await count("SELECT count(*)::int FROM outbox WHERE published_at IS NULL", in: store) == 0
                            && relay.loop.currentBackoff == .zero
                    }
                }
            }
        }
        await broker.stop()
    }
}

@Suite("Outbox while the broker is down (private broker)")
struct BrokerOutageTests {
    @Test("with the broker down, changes still commit; their events go out once it is back, each exactly once")
    func brokerDownThenUp() async throws {
        let broker = try await PrivateBroker.start()
        try await withMessagingStore { store in
            let prefix = TestKafka.uniquePrefix()
            let outbox = Outbox(source: "bazaar/test", topicPrefix: prefix)
            try await TestKafka.withProducer(brokers: broker.brokers, messageTimeout: .seconds(2)) { producer in
                let relay = OutboxRelay(store: store, producer: producer, settings: relaySettings, logger: testLogger)
                let messages = try await whileRunning([relay]) {
                    broker.takeDown()
                    // The "request" commits its change and events although Kafka is unreachable.
                    let events = try await append((1...3).map { stockLow("SKU-OUT-\($0)", available: $0) }, to: outbox, store: store)
                    #expect(events.count == 3)
                    try await eventually("the relay to try and record the failure") {
                        try await count("SELECT count(*)::int FROM outbox WHERE published_at IS NULL AND attempts > 0 AND last_error IS NOT NULL", in: store) == 3
                    }
                    broker.bringUp()
                    try await eventually("every event to be published") {
                        try await count("SELECT count(*)::int FROM outbox WHERE published_at IS NULL", in: store) == 0
                    }
                    return try await TestKafka.collect([prefix + "inventory"], count: 3, settle: .seconds(1), brokers: broker.brokers)
                }
                let ids = messages.compactMap { $0.headerString("ce_id") }
                #expect(ids.count == 3 && Set(ids).count == 3, "\(ids)")
            }
        }
        await broker.stop()
    }
}
