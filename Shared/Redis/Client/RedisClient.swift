public import BazaarCore
public import Logging
public import Metrics
public import ServiceLifecycle

/// A Redis client backed by a pool of blocking hiredis connections on dedicated threads.
///
/// ```swift
/// let redis = try host.addRedis(required: false)
/// try await redis.set("session:\(id)", to: token, expiry: .seconds(3600))
/// let counter = try await redis.increment("visits")
/// let replies = try await redis.pipeline([.get("a"), .increment("b"), .timeToLive("a")])
/// ```
///
/// Commands from concurrent callers share the pool's connections and are pipelined
/// automatically; each call's own commands stay together and in order. A connection that fails
/// is dropped and the next use reconnects, so the client recovers from a Redis restart by itself;
/// the failed call gets a retriable ``RedisError``. Commands that change a connection's state
/// (`SELECT`, `WATCH`, `SUBSCRIBE`, bare `MULTI`) are refused; use ``transaction(_:)``.
///
/// It is a lifecycle `Service`: ``run()`` waits for graceful shutdown and then closes the
/// connections (after services added later have stopped). Without a service group, call
/// ``shutdown()``.
public final class RedisClient: Service, Sendable {
    /// The pool's configuration.
    public let configuration: RedisConfiguration
    /// Where the client, and the cache and rate limiter built on it, log.
    public let logger: Logger
    /// Where the client, and the cache and rate limiter built on it, record metrics.
    public let metricsFactory: any MetricsFactory
    let pool: RedisConnectionPool

    /// A client for `configuration`. No connection is made until the first command.
    public init(configuration: RedisConfiguration, logger: Logger = Logger(label: "redis"),
                metricsFactory: any MetricsFactory = MetricsSystem.factory) {
        self.configuration = configuration
        self.logger = logger
        self.metricsFactory = metricsFactory
        self.pool = RedisConnectionPool(configuration: configuration, logger: logger, metricsFactory: metricsFactory)
    }

    /// A client configured from `REDIS_URL` and the pool settings (see ``RedisConfiguration/from(_:)``).
    /// - Throws: ``ConfigurationError`` naming the invalid variable.
    public convenience init(settings: Settings, logger: Logger = Logger(label: "redis"),
                            metricsFactory: any MetricsFactory = MetricsSystem.factory) throws {
        self.init(configuration: try RedisConfiguration.from(settings), logger: logger, metricsFactory: metricsFactory)
    }

    deinit {
        pool.requestClose()
    }

    /// Runs until graceful shutdown, then closes the pool (queued commands still complete).
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Refuses new commands, completes those already queued, closes every connection and returns
    /// when the pool threads have ended. Later commands throw ``RedisError/Kind/shutDown``.
    public func shutdown() async {
        await pool.close()
    }

    // MARK: - Sending commands

    /// Sends one command given as its words (`["HINCRBY", "cart:1", "sku-9", 2]`) and returns the reply.
    /// - Throws: ``RedisError``: ``RedisError/Kind/server`` for an error reply (with the server's
    ///   message and code), a connection or timeout error, or ``RedisError/Kind/unsupportedCommand``
    ///   for a command that changes the connection's state.
    @discardableResult
    public func send(command: [RedisArgument]) async throws -> RedisValue {
        try await send(RedisCommand(words: command))
    }

    /// Sends one command and returns its reply; an error reply is thrown (see ``send(command:)``).
    @discardableResult
    public func send(_ command: RedisCommand) async throws -> RedisValue {
        try command.validateForSharedConnection()
        return try await execute(command)
    }

    /// Sends a command known to be safe on a shared connection (the typed commands) and returns
    /// its reply; an error reply is thrown.
    func execute(_ command: RedisCommand) async throws -> RedisValue {
        var request: [UInt8] = []
        request.reserveCapacity(64)
        command.encode(to: &request)
        let reply = try await pool.submit(request, replyCount: 1)[0]
        if case .error(let message) = reply {
            throw RedisError(kind: .server, message: message)
        }
        return reply
    }

    /// Sends several commands in one round trip and returns their replies in order.
    ///
    /// The commands are not atomic (others' commands may run between them); use
    /// ``transaction(_:)`` for that. An error reply to one command is its ``RedisValue/error(_:)``
    /// entry, not a thrown error, so the other replies are not lost.
    /// - Throws: ``RedisError`` when the connection failed (then none of the replies is known).
    public func pipeline(_ commands: [RedisCommand]) async throws -> [RedisValue] {
        guard !commands.isEmpty else { return [] }
        var request: [UInt8] = []
        request.reserveCapacity(64 * commands.count)
        for command in commands {
            try command.validateForSharedConnection()
            command.encode(to: &request)
        }
        return try await pool.submit(request, replyCount: commands.count)
    }

    /// Runs the commands atomically in `MULTI`/`EXEC`, in one round trip, and returns their
    /// results in order.
    ///
    /// A command the server rejects while queueing (a syntax error, an unknown command) aborts
    /// the whole transaction: nothing runs and the error is thrown. A command that fails while
    /// executing (e.g. `WRONGTYPE`) does not undo the others, as in Redis itself: its result is
    /// a ``RedisValue/error(_:)`` entry.
    /// - Throws: ``RedisError``, ``RedisError/Kind/server`` with code `EXECABORT` for an aborted transaction.
    public func transaction(_ commands: [RedisCommand]) async throws -> [RedisValue] {
        guard !commands.isEmpty else { return [] }
        var request: [UInt8] = []
        request.reserveCapacity(64 * commands.count + 32)
        RedisCommand("MULTI").encode(to: &request)
        for command in commands {
            try command.validateForSharedConnection()
            command.encode(to: &request)
        }
        RedisCommand("EXEC").encode(to: &request)
        let replies = try await pool.submit(request, replyCount: commands.count + 2)
        switch replies[replies.count - 1] {
        case .array(let results):
            return results
        case .error(let message):
            // EXECABORT says only that something failed while queueing; name what it was.
            let queueErrors = replies.dropFirst().dropLast().compactMap(\.errorMessage)
            let detail = queueErrors.isEmpty ? "" : " (\(queueErrors.joined(separator: "; ")))"
            throw RedisError(kind: .server, message: message + detail)
        case let other:
            throw RedisError.unexpected(other, from: "EXEC")
        }
    }

    /// `PING`; returns when the server answered `PONG`.
    public func ping() async throws {
        let reply = try await execute(RedisCommand("PING"))
        guard reply == .status("PONG") else { throw RedisError.unexpected(reply, from: "PING") }
    }
}
