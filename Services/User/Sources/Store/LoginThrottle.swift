import BazaarCore
import BazaarRedis
import Crypto
import Foundation

/// Counts failed sign-ins per (email, client address), per email and per client address in Redis,
/// shared by every replica (limits: ``LoginLimits``).
///
/// An attempt is admitted atomically before the password is checked: if any key already had its
/// limit of attempts within the window, the attempt is refused (429) whatever password it
/// carries; otherwise it is recorded as pending on all three keys. A successful sign-in then
/// removes its own entry and clears the (email, address) pair's failures, so only failures remain
/// counted. Because admission and recording are one script, parallel guesses cannot slip past
/// the limits.
struct LoginThrottle: Sendable {
    let redis: RedisClient
    let limits: LoginLimits
    /// Prepended to every key (`REDIS_KEY_PREFIX`).
    let keyPrefix: String

    enum Admission: Sendable, Equatable {
        /// Go ahead; `attempt` identifies the entry to clear if the sign-in succeeds.
        case admitted(attempt: String)
        /// Refused; retry after this many whole seconds.
        case refused(retryAfterSeconds: Int)
    }

    func admit(email: String, address: String) async throws -> Admission {
        let attempt = UUID().uuidString
        let reply = try await redis.evaluate(Self.admitScript, keys: keys(email: email, address: address),
                                             arguments: [.integer(windowMicroseconds), .integer(limits.failuresPerAccountAndAddress),
                                                         .integer(limits.failuresPerAccount), .integer(limits.failuresPerAddress),
                                                         .string(attempt)])
        guard let values = reply.array?.compactMap(\.integer), values.count == 2 else {
            throw UnexpectedReply(reply: "\(reply)")
        }
        if values[0] == 1 { return .admitted(attempt: attempt) }
        return .refused(retryAfterSeconds: max(1, Int((values[1] + 999_999) / 1_000_000)))
    }

    struct UnexpectedReply: Error, CustomStringConvertible {
        let reply: String
        var description: String { "unexpected reply from the login throttle script: \(reply)" }
    }

    /// Forgets `attempt` (it succeeded) and the (email, address) pair's earlier failures.
    func succeeded(_ attempt: String, email: String, address: String) async throws {
        _ = try await redis.evaluate(Self.successScript, keys: keys(email: email, address: address), arguments: [.string(attempt)])
    }

    private var windowMicroseconds: Int {
        let (seconds, attoseconds) = limits.window.components
        return Int(seconds) * 1_000_000 + Int(attoseconds / 1_000_000_000_000)
    }

    /// Keys hold digests, not addresses (no personal data in Redis key names); the `{login}` hash
    /// tag keeps the keys of one script in the same Redis Cluster slot. Order: pair, email, address.
    private func keys(email: String, address: String) -> [String] {
        ["\(keyPrefix)login-failures:{login}:pair:\(Self.digest(email + "\n" + address))",
         "\(keyPrefix)login-failures:{login}:email:\(Self.digest(email))", "\(keyPrefix)login-failures:{login}:ip:\(Self.digest(address))"]
    }

    private static func digest(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).prefix(16).hexString
    }

    /// KEYS: pair, email, address. ARGV: window µs, pair limit, email limit, address limit, attempt id.
    /// Returns {1, 0} when admitted, {0, µs until the oldest counted entry leaves the window} when not.
    static let admitScript = RedisScript("""
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
        local window = tonumber(ARGV[1])
        local limits = {tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])}
        local wait = 0
        for i = 1, 3 do
            redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
            local count = redis.call('ZCARD', KEYS[i])
            if count >= limits[i] then
                local entry = redis.call('ZRANGE', KEYS[i], count - limits[i], count - limits[i], 'WITHSCORES')
                local remaining = tonumber(entry[2]) + window - now
                if remaining > wait then wait = remaining end
            end
        end
        if wait > 0 then return {0, wait} end
        for i = 1, 3 do
            redis.call('ZADD', KEYS[i], now, ARGV[5])
            redis.call('PEXPIRE', KEYS[i], math.ceil(window / 1000))
        end
        return {1, 0}
        """)

    /// KEYS: pair, email, address. ARGV: attempt id.
    static let successScript = RedisScript("""
        redis.call('DEL', KEYS[1])
        redis.call('ZREM', KEYS[2], ARGV[1])
        redis.call('ZREM', KEYS[3], ARGV[1])
        return 1
        """)
}
