import BazaarCore
@testable import BazaarRedis
import BazaarTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Rate limiting")
struct RateLimiterTests {
    @Test("exactly N of M concurrent checks are allowed, and the limit is back after the window")
    func allowsExactlyTheLimit() async throws {
        try await RedisFixture.withClient { redis async throws in
            // One slot every 2 s: each burst below completes within that even on a loaded machine
            // (CI once spread three checks over 3 s while 300 tests ran).
            let limiter = RateLimiter(client: redis, name: RedisFixture.uniquePrefix(), rate: RateLimit(limit: 5, window: .seconds(10)))
            let decisions = try await withThrowingTaskGroup(of: RateLimitDecision.self) { group in
                for _ in 0..<20 { group.addTask { try await limiter.check(key: "203.0.113.7") } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let allowed = decisions.filter(\.isAllowed)
            #expect(allowed.count == 5)
            #expect(Set(allowed.map(\.remaining)) == [0, 1, 2, 3, 4])
            for denied in decisions where !denied.isAllowed {
                #expect(denied.remaining == 0)
                #expect((1...2).contains(denied.retryAfterSeconds ?? -1))
                #expect((8...10).contains(denied.resetSeconds))
            }
            // Another key has its own limit.
            #expect(try await limiter.check(key: "198.51.100.1").isAllowed)

            try await Task.sleep(for: .milliseconds(10_050))
            // Sent together (pipelined), so they arrive within one emission interval (2 s): exactly
            // the full limit is back.
            let again = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<7 { group.addTask { try await limiter.check(key: "203.0.113.7").isAllowed } }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(again == 5)
        }
    }

    @Test("a denied request's retry-after is when capacity returns")
    func retryAfter() async throws {
        try await RedisFixture.withClient { redis async throws in
            let limiter = RateLimiter(client: redis, name: RedisFixture.uniquePrefix(), rate: RateLimit(limit: 2, window: .seconds(10)))
            let started = ContinuousClock.now
            let first = try await limiter.check(key: "user@example.com")
            #expect(first.isAllowed && first.remaining == 1 && first.retryAfter == nil)
            #expect(first.resetSeconds == 5)
            _ = try await limiter.check(key: "user@example.com")
            let denied = try await limiter.check(key: "user@example.com")
            #expect(!denied.isAllowed)
            // One slot comes back 5 s after the first check, the window resets 10 s after it; a
            // loaded machine may take seconds between the checks, which the bounds allow for.
            let elapsed = Int((ContinuousClock.now - started).components.seconds) + 1
            #expect((max(0, 5 - elapsed)...5).contains(denied.retryAfterSeconds ?? -1), "\(String(describing: denied.retryAfterSeconds)), \(elapsed) s")
            #expect((max(0, 10 - elapsed)...10).contains(denied.resetSeconds), "\(denied.resetSeconds), \(elapsed) s")
        }
    }

    @Test("the middleware sets RateLimit headers, answers 429 problem+json with Retry-After over the limit, and resets")
    func middleware() async throws {
        try await RedisFixture.withClient { redis async throws in
            let host = try ServiceHost.testing()
            // One slot every 2 s: the burst below completes well within that even on a loaded machine.
            let limiter = RateLimiter(client: redis, name: RedisFixture.uniquePrefix(), rate: RateLimit(limit: 3, window: .seconds(6)))
            host.router.group("limited").add(middleware: RateLimitMiddleware(limiter: limiter)).get("ping") { _, _ in "pong" }
            try await host.makeApplication().test(.router) { client in
                let responses = try await withThrowingTaskGroup(of: (HTTPResponse.Status, HTTPFields, String).self) { group in
                    for _ in 0..<8 {
                        group.addTask {
                            try await client.execute(uri: "/limited/ping", method: .get, headers: [.xForwardedFor: "10.0.0.9, 192.0.2.4"]) { response in
                                (response.status, response.headers, String(buffer: response.body))
                            }
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                let ok = responses.filter { $0.0 == .ok }
                let limited = responses.filter { $0.0 == .tooManyRequests }
                #expect(ok.count == 3)
                #expect(limited.count == 5)
                #expect(Set(ok.compactMap { $0.1[.rateLimitRemaining] }) == ["0", "1", "2"])
                // Full capacity is back 2 s per slot used after the last allowed request.
                #expect(Set(ok.compactMap { $0.1[.rateLimitReset] }).isSubset(of: ["1", "2", "3", "4", "5", "6"]))
                for (_, headers, body) in ok {
                    #expect(headers[.rateLimitLimit] == "3")
                    #expect(body == "pong")
                }
                for (_, headers, body) in limited {
                    #expect(["1", "2"].contains(headers[.retryAfter]))
                    #expect(headers[.rateLimitLimit] == "3")
                    #expect(headers[.rateLimitRemaining] == "0")
                    // 6 s after the first allowed request, less the time the burst took (up to 2 s).
                    #expect(["4", "5", "6"].contains(headers[.rateLimitReset]))
                    #expect(headers[.contentType] == "application/problem+json")
                    #expect(body.contains("too-many-requests"))
                }
                // Limited per client address: another client (last X-Forwarded-For hop) is unaffected.
                try await client.execute(uri: "/limited/ping", method: .get, headers: [.xForwardedFor: "10.0.0.9, 192.0.2.5"]) { response in
                    #expect(response.status == .ok)
                }
                try await Task.sleep(for: .milliseconds(6_100))
                try await client.execute(uri: "/limited/ping", method: .get, headers: [.xForwardedFor: "192.0.2.4"]) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.rateLimitRemaining] == "2")
                }
            }
        }
    }

    @Test("without X-Forwarded-For, a direct client is limited by its connection's address")
    func directClientLimitedByRemoteAddress() async throws {
        try await RedisFixture.withClient { redis async throws in
            let host = try ServiceHost.testing()
            let limiter = RateLimiter(client: redis, name: RedisFixture.uniquePrefix(), rate: RateLimit(limit: 2, window: .seconds(10)))
            host.router.group("limited").add(middleware: RateLimitMiddleware(limiter: limiter)).get("ping") { _, _ in "pong" }
            try await host.makeApplication().test(.live) { client in
                var statuses: [HTTPResponse.Status] = []
                for _ in 0..<3 {
                    statuses.append(try await client.execute(uri: "/limited/ping", method: .get).status)
                }
                #expect(statuses == [.ok, .ok, .tooManyRequests])
            }
        }
    }

    @Test("the client address is the hop the trusted proxy added")
    func clientAddress() {
        #expect(RateLimitMiddleware.forwardedAddress(["203.0.113.9"], trustedProxies: 1) == "203.0.113.9")
        #expect(RateLimitMiddleware.forwardedAddress(["spoofed, 203.0.113.9"], trustedProxies: 1) == "203.0.113.9")
        #expect(RateLimitMiddleware.forwardedAddress(["a, b", "c"], trustedProxies: 2) == "b")
        #expect(RateLimitMiddleware.forwardedAddress(["only"], trustedProxies: 3) == "only")
        #expect(RateLimitMiddleware.forwardedAddress([" , "], trustedProxies: 1) == nil)
    }
}
