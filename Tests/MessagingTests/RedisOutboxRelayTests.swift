import BazaarContracts
import BazaarCore
import BazaarKafka
import BazaarMessaging
import BazaarRedis
import BazaarRedisMessaging
import BazaarTestSupport
import Foundation
import Testing

@Suite("Redis outbox stream and relay (real Redis, real broker)")
struct RedisOutboxRelayTests {
    /// Runs `body` with a redis-server of the test's own and a client of it.
    func withRedis(_ body: @Sendable (RedisClient) async throws -> Void) async throws {
        let server = try await PrivateRedis.launch(durable: true)
        // A durable server fsyncs every write; on a busy machine a reply can take longer than the
        // 1 s default (which failed this test once). These tests are about order and leases, not speed.
        var configuration = try RedisConfiguration(url: server.url)
        configuration.commandTimeout = .seconds(10)
        let redis = RedisClient(configuration: configuration)
        do {
            try await body(redis)
            await redis.shutdown()
            await server.remove()
        } catch {
            await redis.shutdown()
            await server.remove()
            throw error
        }
    }

    func append(_ payloads: [StockLow], to outbox: RedisOutbox, redis: RedisClient) async throws -> [String] {
        var ids: [String] = []
        for payload in payloads {
            let entry = try outbox.entry(payload, context: .background())
            try await redis.send(outbox.appendCommand(entry))
            ids.append(entry.eventID)
        }
        outbox.appended()
        return ids
    }

    @Test("entries wait while the broker is down, then go out in order, each deleted only once acknowledged")
    func publishesInOrderAfterOutage() async throws {
        try await withRedis { redis in
            let broker = try await PrivateBroker.start()
            do {
                let prefix = TestKafka.uniquePrefix()
                let outbox = RedisOutbox(source: "bazaar/test", topicPrefix: prefix)
                broker.takeDown()
                let ids = try await append((0..<5).map { stockLow("SKU-R", available: $0) }, to: outbox, redis: redis)
                try await TestKafka.withProducer(brokers: broker.brokers, messageTimeout: .seconds(1)) { producer in
                    let relay = RedisOutboxRelay(outbox: outbox, redis: redis, producer: producer, settings: relaySettings, logger: testLogger)
                    let messages = try await whileRunning([relay]) {
                        try await eventually("the relay backs off from the broker being down") { relay.loop.currentBackoff > .zero }
                        #expect(try await redis.send(command: ["XLEN", "outbox"]).integer == 5)
                        broker.bringUp()
                        let messages = try await TestKafka.collect([prefix + "inventory"], count: 5, brokers: broker.brokers)
                        try await eventually("acknowledged entries are deleted") { try await redis.send(command: ["XLEN", "outbox"]).integer == 0 }
                        return messages
                    }
                    #expect(messages.compactMap { $0.headerString("ce_id") } == ids)
                    #expect(Set(messages.compactMap(\.keyString)) == ["SKU-R"])
                    #expect(messages.allSatisfy { $0.headerString("ce_type") == StockLow.eventType.name })
                }
            } catch {
                await broker.stop()
                throw error
            }
            await broker.stop()
        }
    }

    @Test("with two relays on one stream one holds the lease: every entry is published once, in order")
    func oneRelayAtATime() async throws {
        try await withRedis { redis in
            let prefix = TestKafka.uniquePrefix()
            let outbox = RedisOutbox(source: "bazaar/test", topicPrefix: prefix)
            try await TestKafka.withProducer { producer in
                // Two replicas: each its own outbox value (and wake-up) on the one stream.
                let relays = (0..<2).map { _ in
                    RedisOutboxRelay(outbox: RedisOutbox(source: "bazaar/test", topicPrefix: prefix), redis: redis, producer: producer,
                                     settings: relaySettings, logger: testLogger)
                }
                let messages = try await whileRunning(relays) {
                    var ids: [String] = []
                    for round in 0..<4 {
                        ids += try await append((0..<10).map { stockLow("SKU-L", available: round * 10 + $0) }, to: outbox, redis: redis)
                    }
                    let messages = try await TestKafka.collect([prefix + "inventory"], count: ids.count)
                    #expect(messages.compactMap { $0.headerString("ce_id") } == ids)
                    return messages
                }
                #expect(messages.count == 40)
                let lease = try await redis.get("outbox:relay-lease")
                #expect(lease != nil, "the lease is a key of its own with an expiry")
            }
        }
    }
}
