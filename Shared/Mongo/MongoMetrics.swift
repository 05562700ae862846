import Metrics
import Synchronization

/// The client's metrics, through swift-metrics (so they appear at the service's `/metrics`):
///
/// - `mongodb_operation_duration_seconds{operation}`: a timer per operation kind
///   (`find`, `insert_one`, `find_one_and_update`, `commit_transaction`, ...), including the
///   wait for a connection.
/// - `mongodb_operation_errors_total{operation,kind}`: failed operations, `kind` being
///   `duplicate_key`, `retriable`, `other` or `shut_down`.
final class MongoMetrics: Sendable {
    private let timers = Mutex<[String: Metrics.Timer]>([:])

    func record(_ operation: String, duration: Duration, error: (any Error)?) {
        let timer = timers.withLock { timers in
            if let timer = timers[operation] { return timer }
            let timer = Metrics.Timer(label: "mongodb_operation_duration_seconds", dimensions: [("operation", operation)])
            timers[operation] = timer
            return timer
        }
        timer.record(duration: duration)
        guard let error else { return }
        let kind = switch error as? MongoError {
        case .duplicateKey?: "duplicate_key"
        case .shutDown?: "shut_down"
        case let failure? where failure.isRetriable: "retriable"
        default: "other"
        }
        Counter(label: "mongodb_operation_errors_total", dimensions: [("operation", operation), ("kind", kind)]).increment()
    }
}
