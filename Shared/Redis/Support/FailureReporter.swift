import Logging
import Metrics
import Synchronization

/// Counts every failure of a fail-open (or fail-closed) Redis feature and logs it, at most once
/// per interval: while Redis is down every request fails the same way, and one line every few
/// seconds (with how many were not logged) says as much as thousands would.
final class FailureReporter: Sendable {
    private struct State {
        var lastLogged: ContinuousClock.Instant?
        var suppressed = 0
    }

    private let counterLabel: String
    private let dimensions: [(String, String)]
    private let factory: any MetricsFactory
    private let logger: Logger
    private let interval: Duration
    private let state = Mutex(State())

    /// Reports into counter `counterLabel` with `dimensions` (plus `operation`) and logs to `logger`.
    init(counter counterLabel: String, dimensions: [(String, String)], factory: any MetricsFactory, logger: Logger,
         interval: Duration = .seconds(5)) {
        self.counterLabel = counterLabel
        self.dimensions = dimensions
        self.factory = factory
        self.logger = logger
        self.interval = interval
    }

    /// Counts one failure of `operation` and logs `message` unless one was logged recently.
    func report(_ message: Logger.Message, operation: String, error: any Error, metadata: Logger.Metadata = [:]) {
        Counter(label: counterLabel, dimensions: dimensions + [("operation", operation)], factory: factory).increment()
        let suppressed: Int? = state.withLock { state in
            let now = ContinuousClock.now
            if let last = state.lastLogged, now - last < interval {
                state.suppressed += 1
                return nil
            }
            state.lastLogged = now
            defer { state.suppressed = 0 }
            return state.suppressed
        }
        guard let suppressed else { return }
        var metadata = metadata
        metadata["operation"] = .string(operation)
        metadata["error"] = .string(String(describing: error))
        if suppressed > 0 { metadata["failures_not_logged"] = .stringConvertible(suppressed) }
        logger.warning(message, metadata: metadata)
    }
}
