import Logging
import Synchronization

/// Whether the server could be reached when a pool thread last tried to connect.
///
/// After a failed connection attempt, requests that would need a new connection fail at once
/// for a back-off period (100 ms, doubling up to 1 s) rather than each waiting for an attempt
/// of its own: a down Redis then costs callers microseconds, not a connect timeout, which keeps
/// fail-open caches and rate limiters fast. The first successful connection resets it. The
/// change between reachable and unreachable is logged once, not per request.
final class RedisReachability: Sendable {
    private struct State {
        var isDown = false
        var backoff: Duration = .zero
        var retryAt: ContinuousClock.Instant?
        var lastError: RedisError?
    }

    static let initialBackoff: Duration = .milliseconds(100)
    static let maximumBackoff: Duration = .seconds(1)

    private let state = Mutex(State())
    private let endpoint: String
    private let logger: Logger

    init(endpoint: String, logger: Logger) {
        self.endpoint = endpoint
        self.logger = logger
    }

    /// The error to fail with while backing off; nil when a connection attempt may be made.
    func failFastError() -> RedisError? {
        state.withLock { state in
            guard let retryAt = state.retryAt, ContinuousClock.now < retryAt else { return nil }
            let waiting = (retryAt - ContinuousClock.now).components
            let milliseconds = waiting.seconds * 1000 + waiting.attoseconds / 1_000_000_000_000_000 + 1
            let cause = state.lastError.map { $0.message } ?? "unknown"
            return RedisError(kind: .connection, message: "Redis at \(endpoint) is unreachable (\(cause)); next connection attempt in \(milliseconds) ms")
        }
    }

    /// Records a failed connection attempt and extends the back-off.
    func recordFailure(_ error: RedisError) {
        let becameDown = state.withLock { state in
            state.backoff = state.backoff == .zero ? Self.initialBackoff : min(state.backoff * 2, Self.maximumBackoff)
            state.retryAt = .now + state.backoff
            state.lastError = error
            defer { state.isDown = true }
            return !state.isDown
        }
        if becameDown {
            logger.warning("Redis unreachable", metadata: ["redis_endpoint": .string(endpoint), "error": .string(error.description)])
        }
    }

    /// Records a successful connection; logs the recovery when Redis had been unreachable.
    func recordSuccess() {
        let recovered = state.withLock { state in
            defer { state = State() }
            return state.isDown
        }
        if recovered {
            logger.notice("Redis reachable again", metadata: ["redis_endpoint": .string(endpoint)])
        }
    }
}
