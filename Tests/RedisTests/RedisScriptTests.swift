import BazaarRedis
import Testing

@Suite("Lua scripts")
struct RedisScriptTests {
    static let compareAndSet = RedisScript("""
        if redis.call('GET', KEYS[1]) == ARGV[1] then
            redis.call('SET', KEYS[1], ARGV[2])
            return 1
        end
        return 0
        """)

    @Test("the script's SHA-1 is the one Redis computes")
    func sha1MatchesServer() async throws {
        try await RedisFixture.withClient { redis async throws in
            let loaded = try await redis.send(command: ["SCRIPT", "LOAD", .string(Self.compareAndSet.source)])
            #expect(loaded.string == Self.compareAndSet.sha1)
            #expect(RedisScript("").sha1 == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
            #expect(RedisScript("abc").sha1 == "a9993e364706816aba3e25717850c26c9cd0d89d")
        }
    }

    @Test("a script runs with keys and arguments and returns typed values")
    func evaluate() async throws {
        try await RedisFixture.withClient { redis async throws in
            let key = RedisFixture.uniquePrefix() + ":state"
            try await redis.set(key, to: "draft")
            #expect(try await redis.evaluate(Self.compareAndSet, keys: [key], arguments: ["draft", "published"]) == .integer(1))
            #expect(try await redis.evaluate(Self.compareAndSet, keys: [key], arguments: ["draft", "archived"]) == .integer(0))
            #expect(try await redis.get(key) == "published")
            let table = RedisScript("return {1, 'two', false, {3}}")
            #expect(try await redis.evaluate(table) == .array([.integer(1), .bulkString(Array("two".utf8)), .null, .array([.integer(3)])]))
        }
    }

    @Test("after SCRIPT FLUSH the client falls back to EVAL and the script works again")
    func noScriptFallback() async throws {
        try await RedisFixture.withClient { redis async throws in
            let key = RedisFixture.uniquePrefix() + ":flushed"
            let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1]) -- \(key)")
            #expect(try await redis.evaluate(script, keys: [key], arguments: [2]) == .integer(2))
            try await redis.send(command: ["SCRIPT", "FLUSH"])
            #expect(try await redis.send(command: ["SCRIPT", "EXISTS", .string(script.sha1)]) == .array([.integer(0)]))
            #expect(try await redis.evaluate(script, keys: [key], arguments: [3]) == .integer(5))
            #expect(try await redis.send(command: ["SCRIPT", "EXISTS", .string(script.sha1)]) == .array([.integer(1)]))
        }
    }

    @Test("a failing script throws the server's error")
    func scriptError() async throws {
        try await RedisFixture.withClient { redis async throws in
            let error = await #expect(throws: RedisError.self) {
                try await redis.evaluate(RedisScript("return redis.call('NOSUCHCOMMAND')"))
            }
            #expect(error?.kind == .server)
            #expect(error?.isRetriable == false)
        }
    }
}
