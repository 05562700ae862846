import BazaarCore
@testable import BazaarRedis
import BazaarTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// Behaviour while Redis is down or restarting, each test with a redis-server of its own.
@Suite("Redis outages")
struct RedisOutageTests {
    @Test("after a restart the same client recovers; the failed command's error is retriable")
    func recoversAfterRestart() async throws {
        let server = try await PrivateRedis.launch()
        try await RedisFixture.withClient(url: server.url, poolSize: 2) { redis async throws in
            let key = RedisFixture.uniquePrefix() + ":before"
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Concurrent commands, so more than one pooled connection may be open (and broken).
                for _ in 0..<20 { group.addTask { try await redis.set(key, to: "1") } }
                try await group.waitForAll()
            }
            await server.stop()
            let error = await #expect(throws: RedisError.self) { try await redis.get(key) }
            #expect(error?.kind == .connection)
            #expect(error?.isRetriable == true)

            try await server.start()
            try await eventually("the client to write again after the restart") { try await redis.set(key, to: "after") }
            // Every pooled connection works again (the server lost its data: no persistence).
            let values = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<20 { group.addTask { try await redis.get(key) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(values.allSatisfy { $0 == "after" })
        }
    }

    @Test("an idle connection closed by a restart is replaced before use, without an error")
    func idleConnectionReplaced() async throws {
        let server = try await PrivateRedis.launch()
        try await RedisFixture.withClient(url: server.url, poolSize: 1) { redis async throws in
            try await redis.ping()
            await server.stop()
            try await server.start()
            // The pooled connection's socket was closed by the old server when it died; the
            // pool notices before sending and connects anew, so the command sees no error.
            try await redis.ping()
        }
    }

    @Test("while Redis is down, commands fail fast and the health check reports it")
    func failsFastWhileDown() async throws {
        let server = try await PrivateRedis.launch()
        try await RedisFixture.withClient(url: server.url) { redis async throws in
            try await redis.ping()
            await server.stop()
            var failedFast = 0
            for _ in 0..<20 {
                let error = await #expect(throws: RedisError.self) { try await redis.get("anything") }
                // Failing fast: refused without a connection attempt of its own, during the back-off.
                if error?.message.contains("next connection attempt in") == true { failedFast += 1 }
            }
            #expect(failedFast >= 1, "every command waited for a connection attempt of its own")
            let report = await HealthMonitor(checks: [redis.healthCheck(required: false)]).report()
            #expect(report.checks["redis"]?.status == "disconnected")
            #expect(report.isHealthy)
        }
    }

    @Test("a command without a reply in time fails with a retriable timeout and the next one works")
    func commandTimeout() async throws {
        let server = try await PrivateRedis.launch()
        // The pause is far longer than the timeout, so a loaded machine cannot let the reply
        // arrive in time by accident.
        try await RedisFixture.withClient(url: server.url, poolSize: 1, commandTimeout: .milliseconds(300)) { redis async throws in
            try await redis.send(command: ["CLIENT", "PAUSE", 3000, "ALL"])
            // Without the timeout the reply would come once the pause ends: a value, not an error.
            let error = await #expect(throws: RedisError.self) { try await redis.get("paused") }
            #expect(error?.kind == .timeout)
            #expect(error?.isRetriable == true)
            try await eventually("a command to succeed once the pause is over") { try await redis.ping(); return true }
        }
    }

    @Test("a cancelled command still waiting for a connection is withdrawn at once")
    func cancelWhileQueued() async throws {
        let server = try await PrivateRedis.launch()
        try await RedisFixture.withClient(url: server.url, poolSize: 1, commandTimeout: .seconds(120)) { redis async throws in
            // The server holds the only connection's command for far longer than the test runs.
            try await redis.send(command: ["CLIENT", "PAUSE", 120_000, "ALL"])
            let finished = Atomic<Bool>(false)
            let blocking = Task {
                defer { finished.store(true, ordering: .sequentiallyConsistent) }
                return try await redis.get("first")
            }
            try await eventually("the first command to hold the only connection") { redis.pool.load == (queued: 0, busyThreads: 1) }
            let queued = Task { try await redis.get("second") }
            try await eventually("the second command to wait in the queue") { redis.pool.load.queued == 1 }
            queued.cancel()
            await #expect(throws: CancellationError.self) { try await queued.value }
            let blockingFinished = finished.load(ordering: .sequentiallyConsistent)
            #expect(!blockingFinished, "the cancelled command waited for the paused one")
            #expect(redis.pool.load.queued == 0)
            // Ends the pause the hard way: the paused command fails with the connection.
            await server.stop()
            await #expect(throws: RedisError.self) { try await blocking.value }
        }
    }

    @Test("with Redis down the cache loads from the source, counts the failures and never throws")
    func cacheFailsOpen() async throws {
        let server = try await PrivateRedis.launch()
        let metrics = ServiceMetrics()
        try await RedisFixture.withClient(url: server.url, metrics: metrics) { redis async throws in
            let cache = Cache(client: redis, prefix: "outage")
            let loads = CacheTests.LoadCounter()
            await server.stop()
            for round in 1...3 {
                let value = try await cache.getOrLoad(key: CacheKey(namespace: "products", id: "1"), ttl: .seconds(60)) {
                    loads.increment()
                }
                #expect(value == round)
            }
            #expect(metrics.value(of: #"cache_failures_total{cache="outage",operation="get"}"#) == 3)
            await #expect(throws: RedisError.self) { try await cache.invalidate(namespace: "products") }

            try await server.start()
            let value = try await eventuallyValue("the cache to work again after the restart") {
                try await redis.ping()
                return try await cache.getOrLoad(key: CacheKey(namespace: "products", id: "1"), ttl: .seconds(60)) { 99 }
            }
            #expect(value == 99)
            #expect(try await cache.getOrLoad(key: CacheKey(namespace: "products", id: "1"), ttl: .seconds(60)) { 100 } == 99)
        }
    }

    @Test("with Redis down the middleware lets requests through by default and counts the failure")
    func limiterFailsOpen() async throws {
        let server = try await PrivateRedis.launch()
        let host = try ServiceHost.testing()
        try await RedisFixture.withClient(url: server.url, metrics: host.metrics) { redis async throws in
            let limiter = RateLimiter(client: redis, name: "open", rate: RateLimit(limit: 1, window: .seconds(60)))
            host.router.group("open").add(middleware: RateLimitMiddleware(limiter: limiter)).get("ping") { _, _ in "pong" }
            await server.stop()
            try await host.makeApplication().test(.live) { client in
                for _ in 0..<3 {
                    try await client.execute(uri: "/open/ping", method: .get, headers: [.init("X-Forwarded-For")!: "192.0.2.1"]) { response in
                        #expect(response.status == .ok)
                        #expect(response.headers[.rateLimitLimit] == nil)
                    }
                }
                try await client.execute(uri: "/metrics", method: .get) { response in
                    #expect(String(buffer: response.body).contains(#"rate_limiter_failures_total{limiter="open",operation="check"} 3"#))
                }
            }
        }
    }

    @Test("with Redis down a fail-closed middleware answers 503 problem+json")
    func limiterFailsClosed() async throws {
        let server = try await PrivateRedis.launch()
        let host = try ServiceHost.testing()
        try await RedisFixture.withClient(url: server.url, metrics: host.metrics) { redis async throws in
            let limiter = RateLimiter(client: redis, name: "closed", rate: RateLimit(limit: 5, window: .seconds(60)))
            host.router.group("closed").add(middleware: RateLimitMiddleware(limiter: limiter, whenRedisFails: .reject)).post("sign-in") { _, _ in "welcome" }
            try await host.makeApplication().test(.live) { client in
                try await client.execute(uri: "/closed/sign-in", method: .post, headers: [.init("X-Forwarded-For")!: "192.0.2.1"]) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.rateLimitRemaining] == "4")
                }
                await server.stop()
                try await client.execute(uri: "/closed/sign-in", method: .post, headers: [.init("X-Forwarded-For")!: "192.0.2.1"]) { response in
                    #expect(response.status == .serviceUnavailable)
                    #expect(response.headers[.contentType] == "application/problem+json")
                    #expect(response.headers[.retryAfter] == "1")
                    #expect(String(buffer: response.body).contains("service-unavailable"))
                }
            }
        }
    }
}
