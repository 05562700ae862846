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
            let time = ManualTime()
            let limiter = RateLimiter(client: redis, name: RedisFixture.uniquePrefix(), rate: RateLimit(limit: 5, window: .seconds(10)),
                                      clock: .given { time.nowMicroseconds })
            let decisions = try await withThrowingTaskGroup(of: RateLimitDecision.self) { group in
                for _ in 0..<20 { group.addTask { try await limiter.check(key: "203.0.113.7") } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let allowed = decisions.filter(\.isAllowed)
            #expect(allowed.count == 5)
            #expect(Set(allowed.map(\.remaining)) == [0, 1, 2, 3, 4])
            for denied in decisions where !denied.isAllowed {
                #expect(denied.remaining == 0)
                // One slot every 2 s; the whole limit back 10 s after the burst.
                #expect(denied.retryAfter == .seconds(2))
                #expect(denied.resetAfter == .seconds(10))
            }
            // Another key has its own limit.
            #expect(try await limiter.check(key: "198.51.100.1").isAllowed)

            time.advance(by: .seconds(10))
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
            let time = ManualTime()
            let limiter = RateLimiter(client: redis, name: RedisFixture.uniquePrefix(), rate: RateLimit(limit: 2, window: .seconds(10)),
                                      clock: .given { time.nowMicroseconds })
            let first = try await limiter.check(key: "user@example.com")
            #expect(first.isAllowed && first.remaining == 1 && first.retryAfter == nil)
            #expect(first.resetSeconds == 5)
            time.advance(by: .seconds(1))
            _ = try await limiter.check(key: "user@example.com")
            let denied = try await limiter.check(key: "user@example.com")
            #expect(!denied.isAllowed)
            // One slot comes back 5 s after the first check (4 s from now), the window resets
            // 10 s after it (9 s from now).
            #expect(denied.retryAfter == .seconds(4))
            #expect(denied.resetAfter == .seconds(9))
            time.advance(by: .seconds(4))
            #expect(try await limiter.check(key: "user@example.com").isAllowed)
        }
    }

    @Test("Redis's own clock times a limiter by default")
    func serverClock() async throws {
        try await RedisFixture.withClient { redis async throws in
            let limiter = RateLimiter(client: redis, name: RedisFixture.uniquePrefix(), rate: RateLimit(limit: 1, window: .seconds(3600)))
            #expect(try await limiter.check(key: "k").isAllowed)
            let denied = try await limiter.check(key: "k")
            #expect(!denied.isAllowed)
            // An hour's window: whatever the machine's pace, the answer is in the next hour.
            #expect((1...3600).contains(denied.retryAfterSeconds ?? 0))
        }
    }

    @Test("the middleware sets RateLimit headers, answers 429 problem+json with Retry-After over the limit, and resets")
    func middleware() async throws {
        try await RedisFixture.withClient { redis async throws in
            let host = try ServiceHost.testing()
            let time = ManualTime()
            let limiter = RateLimiter(client: redis, name: RedisFixture.uniquePrefix(), rate: RateLimit(limit: 3, window: .seconds(6)),
                                      clock: .given { time.nowMicroseconds })
            host.router.group("limited").add(middleware: RateLimitMiddleware(limiter: limiter)).get("ping") { _, _ in "pong" }
            try await host.makeApplication().test(.live) { client in
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
                // Full capacity is back 2 s per slot used.
                #expect(Set(ok.compactMap { $0.1[.rateLimitReset] }) == ["2", "4", "6"])
                for (_, headers, body) in ok {
                    #expect(headers[.rateLimitLimit] == "3")
                    #expect(body == "pong")
                }
                for (_, headers, body) in limited {
                    #expect(headers[.retryAfter] == "2")
                    #expect(headers[.rateLimitLimit] == "3")
                    #expect(headers[.rateLimitRemaining] == "0")
                    #expect(headers[.rateLimitReset] == "6")
                    #expect(headers[.contentType] == "application/problem+json")
                    #expect(body.contains("too-many-requests"))
                }
                // Limited per client address: another client (the address our proxy saw) is unaffected.
                try await client.execute(uri: "/limited/ping", method: .get, headers: [.xForwardedFor: "10.0.0.9, 192.0.2.5"]) { response in
                    #expect(response.status == .ok)
                }
                time.advance(by: .seconds(6))
                try await client.execute(uri: "/limited/ping", method: .get, headers: [.xForwardedFor: "192.0.2.4"]) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.rateLimitRemaining] == "2")
                }
            }
        }
    }

    @Test("without X-Forwarded-For, a direct client is limited by its connection's address")
    func directClientLimitedByRemoteAddress() async throws {
        #expect(try await Self.statusesOfThreeRequests(forwardedFor: [nil, nil, nil]) == [.ok, .ok, .tooManyRequests])
    }

    @Test("a client that is not a trusted proxy cannot choose the address it is limited under")
    func spoofedForwardedForIgnored() async throws {
        // Loopback is not trusted here, so the test client is an ordinary client.
        let statuses = try await Self.statusesOfThreeRequests(forwardedFor: ["203.0.113.1", "203.0.113.2", "203.0.113.3"],
                                                              settings: ["TRUSTED_PROXIES": "192.0.2.1"])
        #expect(statuses == [.ok, .ok, .tooManyRequests])
    }

    /// The statuses of three requests over the network to a route limited to two per window,
    /// each with the given `X-Forwarded-For` (or none).
    static func statusesOfThreeRequests(forwardedFor: [String?], settings: [String: String] = [:]) async throws -> [HTTPResponse.Status] {
        try await RedisFixture.withClient { redis async throws in
            let host = try ServiceHost.testing(settings)
            let time = ManualTime()
            let limiter = RateLimiter(client: redis, name: RedisFixture.uniquePrefix(), rate: RateLimit(limit: 2, window: .seconds(10)),
                                      clock: .given { time.nowMicroseconds })
            host.router.group("limited").add(middleware: RateLimitMiddleware(limiter: limiter)).get("ping") { _, _ in "pong" }
            return try await host.makeApplication().test(.live) { client in
                var statuses: [HTTPResponse.Status] = []
                for address in forwardedFor {
                    let headers: HTTPFields = address.map { [.xForwardedFor: $0] } ?? [:]
                    statuses.append(try await client.execute(uri: "/limited/ping", method: .get, headers: headers).status)
                }
                return statuses
            }
        }
    }
}
