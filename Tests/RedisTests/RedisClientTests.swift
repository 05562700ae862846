import BazaarRedis
import BazaarTestSupport
import Foundation
import Testing

@Suite("Redis client commands")
struct RedisClientTests {
    @Test("strings are set and read back, with EX, PX, NX and XX")
    func strings() async throws {
        try await RedisFixture.withClient { redis async throws in
            let key = RedisFixture.uniquePrefix() + ":greeting"
            #expect(try await redis.get(key) == nil)
            #expect(try await redis.set(key, to: "hello", expiry: .seconds(60)))
            #expect(try await redis.get(key) == "hello")
            guard case .seconds(let seconds) = try await redis.timeToLive(key) else {
                Issue.record("expected a TTL")
                return
            }
            #expect((1...60).contains(seconds))
            #expect(try await redis.set(key, to: "again", condition: .ifNotExists) == false)
            #expect(try await redis.get(key) == "hello")
            #expect(try await redis.set(key + ":missing", to: "x", condition: .ifExists) == false)
            #expect(try await redis.exists(key + ":missing") == 0)
            #expect(try await redis.set(key, to: "replaced", condition: .ifExists))
            #expect(try await redis.timeToLive(key) == .noExpiry)

            let short = key + ":short"
            try await redis.set(short, to: "soon gone", expiry: .after(.milliseconds(50)))
            // Without the expiry the key would stay and this wait fail.
            try await eventually("the 50 ms key to expire") { try await redis.get(short) == nil }
            #expect(try await redis.timeToLive(short) == .keyMissing)
        }
    }

    @Test("binary values round-trip unchanged")
    func binaryValues() async throws {
        try await RedisFixture.withClient { redis async throws in
            let key = RedisFixture.uniquePrefix() + ":bytes"
            let bytes: [UInt8] = [0, 255, 13, 10, 36, 42, 0, 128] + Array(repeating: 7, count: 100_000)
            try await redis.set(key, to: bytes)
            #expect(try await redis.getBytes(key) == bytes)
        }
    }

    @Test("DEL, EXISTS, EXPIRE, PEXPIRE and TTL")
    func keys() async throws {
        try await RedisFixture.withClient { redis async throws in
            let prefix = RedisFixture.uniquePrefix()
            try await redis.set("\(prefix):a", to: "1")
            try await redis.set("\(prefix):b", to: "2")
            #expect(try await redis.exists("\(prefix):a", "\(prefix):b", "\(prefix):c") == 2)
            #expect(try await redis.expire("\(prefix):a", after: .seconds(30)))
            #expect(try await redis.timeToLive("\(prefix):a") != .noExpiry)
            #expect(try await redis.expire("\(prefix):b", after: .milliseconds(50)))
            #expect(try await redis.expire("\(prefix):c", after: .seconds(30)) == false)
            try await eventually("b to expire") { try await redis.exists("\(prefix):b") == 0 }
            #expect(try await redis.delete("\(prefix):a", "\(prefix):b", "\(prefix):c") == 1)
        }
    }

    @Test("INCR and INCRBY count from zero")
    func counters() async throws {
        try await RedisFixture.withClient { redis async throws in
            let key = RedisFixture.uniquePrefix() + ":counter"
            #expect(try await redis.increment(key) == 1)
            #expect(try await redis.increment(key, by: 41) == 42)
            #expect(try await redis.increment(key, by: -2) == 40)
            #expect(try await redis.get(key) == "40")
        }
    }

    @Test("concurrent callers share connections and each gets its own reply")
    func concurrentCallers() async throws {
        try await RedisFixture.withClient(poolSize: 3) { redis async throws in
            let prefix = RedisFixture.uniquePrefix()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<300 {
                    group.addTask {
                        try await redis.set("\(prefix):\(index)", to: "value-\(index)")
                        #expect(try await redis.get("\(prefix):\(index)") == "value-\(index)")
                        try await redis.increment("\(prefix):total")
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await redis.get("\(prefix):total") == "300")
        }
    }

    @Test("hashes: HSET, HGET, HGETALL, HDEL")
    func hashes() async throws {
        try await RedisFixture.withClient { redis async throws in
            let key = RedisFixture.uniquePrefix() + ":cart"
            #expect(try await redis.hashSet(key, fields: ["sku-1": 2, "sku-2": "5"]) == 2)
            #expect(try await redis.hashSet(key, field: "sku-3", to: 1))
            #expect(try await redis.hashSet(key, field: "sku-3", to: 4) == false)
            #expect(try await redis.hashGet(key, field: "sku-2") == "5")
            #expect(try await redis.hashGet(key, field: "sku-9") == nil)
            #expect(try await redis.hashGetAll(key) == ["sku-1": "2", "sku-2": "5", "sku-3": "4"])
            #expect(try await redis.hashDelete(key, fields: "sku-1", "sku-9") == 1)
            #expect(try await redis.hashGetAll(key) == ["sku-2": "5", "sku-3": "4"])
            #expect(try await redis.hashGetAll(key + ":missing") == [:])
        }
    }

    @Test("a pipeline returns every reply in order, error replies as values")
    func pipeline() async throws {
        try await RedisFixture.withClient { redis async throws in
            let prefix = RedisFixture.uniquePrefix()
            try await redis.hashSet("\(prefix):hash", field: "f", to: "v")
            let replies = try await redis.pipeline([
                .set("\(prefix):a", to: "1"),
                .increment("\(prefix):a"),
                .get("\(prefix):hash"),
                .get("\(prefix):a"),
                RedisCommand("PING"),
            ])
            #expect(replies.count == 5)
            #expect(replies[0] == .status("OK"))
            #expect(replies[1] == .integer(2))
            #expect(replies[2].errorMessage?.hasPrefix("WRONGTYPE") == true)
            #expect(replies[3].string == "2")
            #expect(replies[4] == .status("PONG"))
        }
    }

    @Test("a transaction applies all commands atomically and reports runtime errors per command")
    func transaction() async throws {
        try await RedisFixture.withClient { redis async throws in
            let prefix = RedisFixture.uniquePrefix()
            try await redis.hashSet("\(prefix):hash", field: "f", to: "v")
            let results = try await redis.transaction([
                .increment("\(prefix):count", by: 5),
                .set("\(prefix):flag", to: "on", expiry: .seconds(60)),
                .increment("\(prefix):hash"),
                .get("\(prefix):count"),
            ])
            #expect(results.count == 4)
            #expect(results[0] == .integer(5))
            #expect(results[1] == .status("OK"))
            #expect(results[2].errorMessage?.hasPrefix("WRONGTYPE") == true)
            #expect(results[3].string == "5")
        }
    }

    @Test("a transaction rejected while queueing runs nothing and throws EXECABORT")
    func abortedTransaction() async throws {
        try await RedisFixture.withClient { redis async throws in
            let key = RedisFixture.uniquePrefix() + ":count"
            let error = await #expect(throws: RedisError.self) {
                try await redis.transaction([.increment(key), RedisCommand("NOSUCHCOMMAND", ["x"])])
            }
            #expect(error?.code == "EXECABORT")
            #expect(error?.message.contains("unknown command") == true)
            #expect(try await redis.get(key) == nil)
            // The connection is still usable afterwards.
            #expect(try await redis.increment(key) == 1)
        }
    }

    @Test("an error reply keeps the server's message and code and is not retriable")
    func serverErrors() async throws {
        try await RedisFixture.withClient { redis async throws in
            let key = RedisFixture.uniquePrefix() + ":hash"
            try await redis.hashSet(key, field: "f", to: "v")
            let error = await #expect(throws: RedisError.self) { try await redis.get(key) }
            #expect(error?.kind == .server)
            #expect(error?.code == "WRONGTYPE")
            #expect(error?.message.contains("wrong kind of value") == true)
            #expect(error?.isRetriable == false)
            let generic = await #expect(throws: RedisError.self) { try await redis.send(command: ["INCRBY", "\(key):n", "many"]) }
            #expect(generic?.code == "ERR")
        }
    }

    @Test("commands that change a pooled connection's state are refused")
    func connectionStateCommands() async throws {
        try await RedisFixture.withClient { redis async throws in
            for words: [RedisArgument] in [["SELECT", 1], ["MULTI"], ["subscribe", "news"], ["WATCH", "k"]] {
                let error = await #expect(throws: RedisError.self) { try await redis.send(command: words) }
                #expect(error?.kind == .unsupportedCommand)
            }
            try await redis.ping()
        }
    }

    @Test("a generic command returns the typed reply")
    func genericSend() async throws {
        try await RedisFixture.withClient { redis async throws in
            let key = RedisFixture.uniquePrefix() + ":list"
            #expect(try await redis.send(command: ["RPUSH", .string(key), "a", "b", .bytes([0, 1])]) == .integer(3))
            #expect(try await redis.send(command: ["LRANGE", .string(key), 0, -1]) == .array([.bulkString(Array("a".utf8)), .bulkString(Array("b".utf8)), .bulkString([0, 1])]))
        }
    }

    @Test("the health check is named redis and pings")
    func healthCheck() async throws {
        try await RedisFixture.withClient { redis async throws in
            let check = redis.healthCheck(required: true)
            #expect(check.name == "redis")
            #expect(check.isRequired)
            try await check.check()
        }
    }

    @Test("after shutdown commands fail with a shut-down error")
    func shutdown() async throws {
        let error = try await RedisFixture.withClient { redis async throws in
            try await redis.ping()
            await redis.shutdown()
            return await #expect(throws: RedisError.self) { try await redis.ping() }
        }
        #expect(error?.kind == .shutDown)
    }
}
