/// A Lua script run with `EVALSHA`, loaded into the server on demand.
///
/// Declare scripts once, as constants, and run them with ``RedisClient/evaluate(_:keys:arguments:)``:
/// the script is sent by its SHA-1 only; when the server does not know it (first use, a restart,
/// `SCRIPT FLUSH`) the `NOSCRIPT` error makes the client send the source with `EVAL` once, which
/// also caches it on the server for the next call.
///
/// ```swift
/// static let compareAndDelete = RedisScript("""
///     if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
///     return 0
///     """)
/// let removed = try await redis.evaluate(compareAndDelete, keys: [lockKey], arguments: [.string(token)])
/// ```
///
/// Pass every key the script touches in `keys`, never in `arguments`.
public struct RedisScript: Sendable, Hashable {
    /// The Lua source.
    public let source: String
    /// The SHA-1 of the source in lower-case hex, as `SCRIPT LOAD` returns it.
    public let sha1: String

    /// A script with `source`; its SHA-1 is computed here, without contacting the server.
    public init(_ source: String) {
        self.source = source
        self.sha1 = SHA1.hexDigest(of: source.utf8)
    }
}

extension RedisClient {
    /// Runs `script` with `EVALSHA`, falling back to `EVAL` when the server answers `NOSCRIPT`.
    /// - Returns: The script's return value (Lua tables become arrays, numbers integers, `false` null).
    /// - Throws: ``RedisError``: a script error (`ERR ... user_script...`) as ``RedisError/Kind/server``.
    @discardableResult
    public func evaluate(_ script: RedisScript, keys: [String] = [], arguments: [RedisArgument] = []) async throws -> RedisValue {
        let tail: [RedisArgument] = [.integer(keys.count)] + keys.map(RedisArgument.string) + arguments
        do {
            return try await execute(RedisCommand("EVALSHA", [.string(script.sha1)] + tail))
        } catch let error as RedisError where error.code == "NOSCRIPT" {
            logger.debug("loading Redis script", metadata: ["script_sha1": .string(script.sha1)])
            return try await execute(RedisCommand("EVAL", [.string(script.source)] + tail))
        }
    }
}
