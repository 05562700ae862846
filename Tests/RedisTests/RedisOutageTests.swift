import BazaarCore
import BazaarRedis
import BazaarTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Behaviour while Redis is down or restarting, each test with a redis-server of its own.
@Suite("Redis outages")
struct RedisOutageTests {
    @Test("after a restart the same client recovers; the failed command's error is retriable")
    func recoversAfterRestart() async throws {
        let server = try PrivateRedis()
        try await RedisFixture.withClient(url: server.url, poolSize: 2) { redis async throws in
            let key = RedisFixture.uniquePrefix() + ":before"
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Concurrent commands, so more than one pooled connection may be open (and broken).
                for _ in 0..<20 { group.addTask { try await redis.set(key, to: "1") } }
                try await group.waitForAll()
            }
            server.stop()
            let error = await #expect(throws: RedisError.self) { try await redis.get(key) }
            #expect(error?.kind == .connection)
            #expect(error?.isRetriable == true)

            try server.start()
            _ = try await RedisFixture.eventually(within: .seconds(5)) { try await redis.set(key, to: "after") }
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
        let server = try PrivateRedis()
        try await RedisFixture.withClient(url: server.url, poolSize: 1) { redis async throws in
            try await redis.ping()
            server.stop()
            try server.start()
            try await Task.sleep(for: .milliseconds(1100))
            try await redis.ping()
        }
    }

    @Test("while Redis is down, commands fail fast and the health check reports it")
    func failsFastWhileDown() async throws {
        let server = try PrivateRedis()
        try await RedisFixture.withClient(url: server.url) { redis async throws in
            try await redis.ping()
            server.stop()
            let start = ContinuousClock.now
            for _ in 0..<20 {
                await #expect(throws: RedisError.self) { try await redis.get("anything") }
            }
            // Twenty commands waiting out the 500 ms connect timeout each would take 10 s; failing
            // fast (reconnect back-off) takes far less, with slack for a loaded machine.
            #expect(ContinuousClock.now - start < .seconds(5))
            let report = await HealthMonitor(checks: [redis.healthCheck(required: false)]).report()
            #expect(report.checks["redis"]?.status == "disconnected")
            #expect(report.isHealthy)
        }
    }

    @Test("a command without a reply in time fails with a retriable timeout and the next one works")
    func commandTimeout() async throws {
        let server = try PrivateRedis()
        // The pause is far longer than the timeout, so a loaded machine cannot let the reply
        // arrive in time by accident.
        try await RedisFixture.withClient(url: server.url, poolSize: 1, commandTimeout: .milliseconds(300)) { redis async throws in
            try await redis.send(command: ["CLIENT", "PAUSE", 3000, "ALL"])
            let start = ContinuousClock.now
            let error = await #expect(throws: RedisError.self) { try await redis.get("paused") }
            #expect(error?.kind == .timeout)
            #expect(error?.isRetriable == true)
            #expect(ContinuousClock.now - start < .milliseconds(2000))
            try await Task.sleep(for: .milliseconds(3000))
            try await redis.ping()
        }
    }

    @Test("a cancelled command still waiting for a connection is withdrawn at once")
    func cancelWhileQueued() async throws {
        let server = try PrivateRedis()
        try await RedisFixture.withClient(url: server.url, poolSize: 1, commandTimeout: .seconds(10)) { redis async throws in
            // Generous pauses, so the first command surely holds the only connection (paused by
            // the server) before the second is queued and cancelled, even on a loaded machine
            // (3 s was once too short under a full parallel test run).
            try await redis.send(command: ["CLIENT", "PAUSE", 8000, "ALL"])
            let blocking = Task { try await redis.get("first") }
            try await Task.sleep(for: .milliseconds(400))
            let queued = Task { try await redis.get("second") }
            try await Task.sleep(for: .milliseconds(400))
            let start = ContinuousClock.now
            queued.cancel()
            await #expect(throws: CancellationError.self) { try await queued.value }
            #expect(ContinuousClock.now - start < .milliseconds(1500), "the cancelled command must not wait for the paused one")
            #expect(try await blocking.value == nil)
        }
    }

    @Test("with Redis down the cache loads from the source, counts the failures and never throws")
    func cacheFailsOpen() async throws {
        let server = try PrivateRedis()
        let metrics = ServiceMetrics()
        try await RedisFixture.withClient(url: server.url, metrics: metrics) { redis async throws in
            let cache = Cache(client: redis, prefix: "outage")
            let loads = CacheTests.LoadCounter()
            server.stop()
            for round in 1...3 {
                let value = try await cache.getOrLoad(key: CacheKey(namespace: "products", id: "1"), ttl: .seconds(60)) {
                    loads.increment()
                }
                #expect(value == round)
            }
            #expect(metrics.value(of: #"cache_failures_total{cache="outage",operation="get"}"#) == 3)
            await #expect(throws: RedisError.self) { try await cache.invalidate(namespace: "products") }

            try server.start()
            let value = try await RedisFixture.eventually {
                try await redis.ping()
                return try await cache.getOrLoad(key: CacheKey(namespace: "products", id: "1"), ttl: .seconds(60)) { 99 }
            }
            #expect(value == 99)
            #expect(try await cache.getOrLoad(key: CacheKey(namespace: "products", id: "1"), ttl: .seconds(60)) { 100 } == 99)
        }
    }

    @Test("with Redis down the middleware lets requests through by default and counts the failure")
    func limiterFailsOpen() async throws {
        let server = try PrivateRedis()
        let host = try ServiceHost.testing()
        try await RedisFixture.withClient(url: server.url, metrics: host.metrics) { redis async throws in
            let limiter = RateLimiter(client: redis, name: "open", rate: RateLimit(limit: 1, window: .seconds(60)))
            host.router.group("open").add(middleware: RateLimitMiddleware(limiter: limiter)).get("ping") { _, _ in "pong" }
            server.stop()
            try await host.makeApplication().test(.router) { client in
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
        let server = try PrivateRedis()
        let host = try ServiceHost.testing()
        try await RedisFixture.withClient(url: server.url, metrics: host.metrics) { redis async throws in
            let limiter = RateLimiter(client: redis, name: "closed", rate: RateLimit(limit: 5, window: .seconds(60)))
            host.router.group("closed").add(middleware: RateLimitMiddleware(limiter: limiter, whenRedisFails: .reject)).post("sign-in") { _, _ in "welcome" }
            try await host.makeApplication().test(.router) { client in
                try await client.execute(uri: "/closed/sign-in", method: .post, headers: [.init("X-Forwarded-For")!: "192.0.2.1"]) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.rateLimitRemaining] == "4")
                }
                server.stop()
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
