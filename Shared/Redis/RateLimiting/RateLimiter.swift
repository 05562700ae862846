/// How many requests a key may make in a window, e.g. `RateLimit(limit: 5, window: .seconds(60))`.
public struct RateLimit: Sendable, Hashable {
    /// Requests allowed per window; also the largest burst.
    public let limit: Int
    /// The window the limit applies to.
    public let window: Duration

    /// `limit` requests per `window`. The limit must be at least 1 and the window at least 1 ms.
    public init(limit: Int, window: Duration) {
        precondition(limit >= 1, "a rate limit allows at least one request")
        precondition(window >= .milliseconds(1), "a rate-limit window is at least 1 ms")
        self.limit = limit
        self.window = window
    }
}

/// Where a ``RateLimiter`` reads the time.
public enum RateLimitClock: Sendable {
    /// Redis's own clock (`TIME`), read inside the script: every replica of a service shares it,
    /// whatever their hosts' clocks say. The default.
    case server
    /// Microseconds from `now` (any fixed epoch), sent with each check: for tests, which move
    /// time forward by hand instead of waiting for a window to pass.
    case given(now: @Sendable () -> Int64)
}

/// The outcome of one ``RateLimiter/check(key:)``.
public struct RateLimitDecision: Sendable, Hashable {
    /// Whether the request may go ahead (it was counted).
    public let isAllowed: Bool
    /// The limit per window (`RateLimit-Limit`).
    public let limit: Int
    /// How many more requests would be allowed right now (`RateLimit-Remaining`).
    public let remaining: Int
    /// How long until the full limit is available again (`RateLimit-Reset`).
    public let resetAfter: Duration
    /// For a denied request: how long until a request would be allowed (`Retry-After`); nil when allowed.
    public let retryAfter: Duration?

    /// A decision with the given values (services use ``RateLimiter/check(key:)``; tests build their own).
    public init(isAllowed: Bool, limit: Int, remaining: Int, resetAfter: Duration, retryAfter: Duration?) {
        self.isAllowed = isAllowed
        self.limit = limit
        self.remaining = remaining
        self.resetAfter = resetAfter
        self.retryAfter = retryAfter
    }

    /// `resetAfter` in whole seconds, rounded up.
    public var resetSeconds: Int { Self.wholeSecondsRoundedUp(resetAfter) }
    /// `retryAfter` in whole seconds, rounded up and at least 1; nil when allowed.
    public var retryAfterSeconds: Int? { retryAfter.map { max(Self.wholeSecondsRoundedUp($0), 1) } }

    static func wholeSecondsRoundedUp(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) + (attoseconds > 0 ? 1 : 0)
    }
}

/// An atomic, distributed rate limiter on Redis (GCRA, the generic cell rate algorithm).
///
/// Each key has one Redis value, its "theoretical arrival time"; one Lua script reads the
/// server's clock, decides and updates it atomically, so every replica of a service shares the
/// same limit and concurrent requests never overshoot it. A key may use its whole limit at once
/// (a burst of `limit`); capacity then comes back steadily, one request every `window / limit`,
/// and is complete again one `window` after the last allowed request.
///
/// Use it through ``RateLimitMiddleware`` for routes, or call ``check(key:)`` directly to limit
/// something other than a request (sign-in attempts per email):
///
/// ```swift
/// let attempts = RateLimiter(client: redis, name: "sign-in-email", rate: RateLimit(limit: 5, window: .seconds(900)))
/// guard try await attempts.check(key: email.lowercased()).isAllowed else { throw ProblemError.tooManyRequests(retryAfterSeconds: 60) }
/// ```
///
/// Keys are `ratelimit:<name>:<key>`; a key longer than 128 bytes is replaced by its SHA-1. The
/// script reads the server's clock (`TIME`) before writing, which needs Redis 5 or newer.
public struct RateLimiter: Sendable {
    /// The client whose Redis keeps the counters.
    public let client: RedisClient
    /// Names the limiter in keys, logs and metrics (`sign-in`, `search`).
    public let name: String
    /// The limit applied to every key.
    public let rate: RateLimit
    /// Where the time comes from (Redis's clock unless a test gives its own).
    public let clock: RateLimitClock
    /// The spacing between requests in microseconds, `window / limit` rounded down (at least 1).
    let emissionIntervalMicroseconds: Int

    /// A limiter called `name` allowing `rate` per key, timed by `clock`.
    public init(client: RedisClient, name: String, rate: RateLimit, clock: RateLimitClock = .server) {
        self.client = client
        self.name = name
        self.rate = rate
        self.clock = clock
        let (seconds, attoseconds) = rate.window.components
        let windowMicroseconds = Int(seconds) * 1_000_000 + Int(attoseconds / 1_000_000_000_000)
        self.emissionIntervalMicroseconds = max(windowMicroseconds / rate.limit, 1)
    }

    /// Counts one request for `key` and says whether it is allowed.
    /// - Throws: ``RedisError`` when Redis cannot be asked; the caller decides whether to fail
    ///   open or closed (the middleware does this for you).
    public func check(key: String) async throws -> RateLimitDecision {
        var arguments: [RedisArgument] = [.integer(rate.limit), .integer(emissionIntervalMicroseconds)]
        if case .given(let now) = clock { arguments.append(.integer(Int(now()))) }
        let reply = try await client.evaluate(Self.script, keys: [redisKey(for: key)], arguments: arguments)
        guard let values = reply.array?.compactMap(\.integer), values.count == 4 else {
            throw RedisError.unexpected(reply, from: "rate limiter script")
        }
        let isAllowed = values[0] == 1
        return RateLimitDecision(isAllowed: isAllowed, limit: rate.limit, remaining: Int(values[1]),
                                 resetAfter: .microseconds(values[3]), retryAfter: isAllowed ? nil : .microseconds(values[2]))
    }

    /// The Redis key counting `key`.
    func redisKey(for key: String) -> String {
        let part = key.utf8.count > 128 ? "sha1:" + SHA1.hexDigest(of: key.utf8) : key
        return "ratelimit:\(name):\(part)"
    }

    /// GCRA in whole microseconds (exact in Lua's doubles up to 2^53, centuries away).
    /// ARGV: limit, emission interval, and optionally the time in µs (else the server's clock).
    /// Returns {allowed, remaining, retry after µs, reset after µs}.
    static let script = RedisScript("""
        local limit = tonumber(ARGV[1])
        local interval = tonumber(ARGV[2])
        local capacity = interval * limit
        local now
        if ARGV[3] then
            now = tonumber(ARGV[3])
        else
            local time = redis.call('TIME')
            now = tonumber(time[1]) * 1000000 + tonumber(time[2])
        end
        local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
        if tat < now then tat = now end
        local arrival = tat + interval
        if arrival - now > capacity then
            return {0, 0, arrival - capacity - now, tat - now}
        end
        redis.call('SET', KEYS[1], string.format('%d', arrival), 'PX', math.ceil((arrival - now) / 1000))
        return {1, math.floor((capacity - (arrival - now)) / interval), 0, arrival - now}
        """)
}
