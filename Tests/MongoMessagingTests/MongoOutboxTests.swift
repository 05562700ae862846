import BazaarContracts
import BazaarKafka
import BazaarMessaging
import BazaarMongo
@testable import BazaarMongoMessaging
import BazaarTestSupport
import Foundation
import Logging
import ServiceLifecycle
import Testing

@Suite("MongoDB outbox and relay")
struct MongoOutboxTests {
    static func stockLow(_ sku: String) -> StockLow {
        StockLow(sku: sku, available: 2, threshold: 10, occurredAt: Date())
    }

    static var fastRelay: OutboxRelaySettings {
        var settings = OutboxRelaySettings()
        settings.pollInterval = .milliseconds(100)
        settings.initialBackoff = .milliseconds(100)
        return settings
    }

    @Test("events written in a committed transaction are published once, in order; a rolled-back one never")
    func publishesCommittedEventsInOrder() async throws {
        try await TestMongo.withDatabase { database in
            let prefix = TestKafka.uniquePrefix()
            let outbox = MongoOutbox(database: database, source: "bazaar/test", topicPrefix: prefix)
            try await outbox.createIndexes()
            let notes = database.collection("notes")
            for index in 1...5 {
                _ = try await database.client.withTransaction { session in
                    try await notes.insertOne(["_id": .string("n\(index)")], session: session)
                    try await outbox.append(Self.stockLow("SKU-\(index)"), context: .background(), session: session)
                }
            }
            struct Rollback: Error {}
            await #expect(throws: Rollback.self) {
                try await database.client.withTransaction { session in
                    try await outbox.append(Self.stockLow("SKU-ROLLED-BACK"), context: .background(), session: session)
                    throw Rollback()
                }
            }
            try await TestKafka.withProducer { producer in
                let relay = MongoOutboxRelay(outbox: outbox, producer: producer, settings: Self.fastRelay, logger: Logger(label: "relay"))
                let running = Task { try await relay.run() }
                defer { running.cancel() }
                let messages = try await TestKafka.collect([prefix + "inventory"], count: 5, timeout: .seconds(30), settle: .seconds(1))
                let skus = try messages.map { try EventCodec.decode(StockLow.self, from: $0.value).data.sku }
                #expect(skus.sorted() == (1...5).map { "SKU-\($0)" })
                // One partition per key; within the whole outbox the relay sent in sequence order.
                #expect(Set(messages.map { String(decoding: $0.key ?? [], as: UTF8.self) }) == Set((1...5).map { "SKU-\($0)" }))
                #expect(messages.allSatisfy { message in message.headers.contains { $0.0 == "ce_type" } })
                running.cancel()
                _ = await running.result
            }
            let unpublished = try await database.collection(MongoOutbox.collectionName).count(["publishedAt": nil])
            #expect(unpublished == 0)
        }
    }

    @Test("with the broker unreachable nothing is lost: events wait and are published once it is back")
    func waitsForBroker() async throws {
        try await TestMongo.withDatabase { database in
            let prefix = TestKafka.uniquePrefix()
            let outbox = MongoOutbox(database: database, source: "bazaar/test", topicPrefix: prefix)
            try await outbox.createIndexes()
            _ = try await database.client.withTransaction { session in
                try await outbox.append(Self.stockLow("SKU-LATE"), context: .background(), session: session)
            }
            // A producer pointed at a port nobody listens on cannot deliver: the entry stays.
            try await TestKafka.withProducer(brokers: ["127.0.0.1:1"], messageTimeout: .seconds(1)) { producer in
                let relay = MongoOutboxRelay(outbox: outbox, producer: producer, settings: Self.fastRelay, logger: Logger(label: "relay"))
                let running = Task { try await relay.run() }
                try await eventually("the relay to fail and back off") { relay.loop.currentBackoff > .zero }
                running.cancel()
                _ = await running.result
            }
            #expect(try await database.collection(MongoOutbox.collectionName).count(["publishedAt": nil]) == 1)
            try await TestKafka.withProducer { producer in
                let relay = MongoOutboxRelay(outbox: outbox, producer: producer, settings: Self.fastRelay, logger: Logger(label: "relay"))
                let running = Task { try await relay.run() }
                defer { running.cancel() }
                let messages = try await TestKafka.collect([prefix + "inventory"], count: 1, timeout: .seconds(30))
                #expect(messages.count == 1)
                running.cancel()
                _ = await running.result
            }
        }
    }

    @Test("only one relay holds the lease at a time; another takes over when it expires")
    func lease() async throws {
        try await TestMongo.withDatabase { database in
            let outbox = MongoOutbox(database: database, source: "bazaar/test")
            let time = ManualTime()
            let now: @Sendable () -> Date = { Date(timeIntervalSince1970: Double(time.nowMicroseconds) / 1_000_000) }
            try await TestKafka.withProducer { (producer: KafkaProducer) async throws in
                let first = MongoOutboxRelay(outbox: outbox, producer: producer, leaseDuration: .seconds(4), logger: Logger(label: "a"), now: now)
                let second = MongoOutboxRelay(outbox: outbox, producer: producer, leaseDuration: .seconds(4), logger: Logger(label: "b"), now: now)
                #expect(try await first.holdLease())
                #expect(try await !second.holdLease())
                time.advance(by: .seconds(3))
                #expect(try await first.holdLease())  // renewed: now valid until 7 s
                time.advance(by: .seconds(3))
                #expect(try await !second.holdLease())
                time.advance(by: .seconds(2))
                #expect(try await second.holdLease())
                #expect(try await !first.holdLease())
            }
        }
    }

    @Test("a relay backing off from a failing broker stops at once on graceful shutdown")
    func shutdownDuringBackoff() async throws {
        try await TestMongo.withDatabase { database in
            let outbox = MongoOutbox(database: database, source: "bazaar/test", topicPrefix: TestKafka.uniquePrefix())
            try await outbox.createIndexes()
            _ = try await database.client.withTransaction { session in
                try await outbox.append(Self.stockLow("SKU-STUCK"), context: .background(), session: session)
            }
            let settings = {
                var settings = Self.fastRelay
                settings.initialBackoff = .seconds(3600)
                settings.maximumBackoff = .seconds(3600)
                return settings
            }()
            try await TestKafka.withProducer(brokers: ["127.0.0.1:1"], messageTimeout: .milliseconds(300)) { producer in
                let relay = MongoOutboxRelay(outbox: outbox, producer: producer, settings: settings, logger: Logger(label: "relay"))
                let group = ServiceGroup(configuration: .init(services: [relay], logger: Logger(label: "group")))
                let running = Task { try await group.run() }
                try await eventually("the relay to back off for an hour") { relay.loop.currentBackoff == .seconds(3600) }
                await group.triggerGracefulShutdown()
                // Before the fix it slept out its back-off: this waited for an hour (the test's
                // limit, far shorter, is only there so a regression fails instead of hanging).
                try await finishing("the relay to stop", within: .seconds(120)) { try await running.value }
            }
        }
    }
}
