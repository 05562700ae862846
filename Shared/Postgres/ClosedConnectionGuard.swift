import NIOCore
import PostgresNIO
import Synchronization

/// The error of a transaction (or other work with a pooled connection) whose connection closed
/// under it: the server restarted, or ended the session. Whether a COMMIT sent just before
/// reached the server is unknown, as with any lost connection; callers retry idempotent work.
public struct PostgresConnectionLost: Error, CustomStringConvertible {
    public var description: String { "the database connection closed during the operation (the server restarted or ended the session)" }
}

/// Fails work whose connection closed under it, at once, instead of letting it wait forever.
///
/// postgres-nio 1.33 sends each statement with `channel.write(task, promise: nil)`. Once the
/// channel has closed, its pipeline no longer holds the handler that would fail the statement,
/// so a statement sent after the close (the next statement of a transaction whose connection the
/// server just dropped, or the pool's own ROLLBACK after it) is never answered, and the task
/// awaiting it waits forever. Found by the chaos suite: after Postgres was killed and restarted,
/// every outbox relay and event consumer that had a transaction open stopped for good.
///
/// Each guarded operation runs in a task of its own; the connection it leases is watched (one
/// close callback per connection, not per operation), and when that connection closes while the
/// operation holds it, the operation fails with ``PostgresConnectionLost``. The task left waiting
/// for the lost statement stays suspended (it holds nothing but the closed connection, which the
/// pool has already forgotten); the caller goes on and retries with a new connection.
final class ClosedConnectionGuard: Sendable {
    /// How to fail the operation that holds a connection.
    private final class Holder: Sendable {
        let fail: @Sendable () -> Void
        init(fail: @escaping @Sendable () -> Void) { self.fail = fail }
    }

    /// Every connection seen (each gets one close callback), with the operation holding it now.
    private let holders = Mutex<[PostgresConnection.ID: Holder?]>([:])

    /// Runs `work`, which must call `watch` with the connection it leases before using it.
    func guarding<Result: Sendable>(
        _ work: @escaping @Sendable (_ watch: @escaping @Sendable (PostgresConnection) throws -> Void) async throws -> Result
    ) async throws -> Result {
        let running = Mutex<(task: Task<Void, Never>?, cancelled: Bool)>((nil, false))
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
                let outcome = ResumeOnce(continuation)
                let holder = Holder { outcome.resume(with: .failure(PostgresConnectionLost())) }
                let task = Task {
                    let held = Mutex<PostgresConnection.ID?>(nil)
                    do {
                        let value = try await work { connection in
                            held.withLock { $0 = connection.id }
                            try self.hold(connection, by: holder)
                        }
                        outcome.resume(with: .success(value))
                    } catch {
                        outcome.resume(with: .failure(error))
                    }
                    if let id = held.withLock({ $0 }) { self.release(id, by: holder) }
                }
                let cancelled = running.withLock { running in
                    running.task = task
                    return running.cancelled
                }
                if cancelled { task.cancel() }
            }
        } onCancel: {
            running.withLock { running in
                running.cancelled = true
                return running.task
            }?.cancel()
        }
    }

    private func hold(_ connection: PostgresConnection, by holder: Holder) throws {
        let firstSeen = try holders.withLock { holders -> Bool in
            if connection.isClosed { throw PostgresConnectionLost() }
            let firstSeen = holders[connection.id] == nil
            holders[connection.id] = .some(holder)
            return firstSeen
        }
        guard firstSeen else { return }
        connection.closeFuture.whenComplete { _ in self.closed(connection.id) }
    }

    private func release(_ id: PostgresConnection.ID, by holder: Holder) {
        holders.withLock { holders in
            if case .some(.some(let current)) = holders[id], current === holder {
                holders[id] = .some(nil)
            }
        }
    }

    private func closed(_ id: PostgresConnection.ID) {
        let holder = holders.withLock { holders in holders.removeValue(forKey: id) ?? nil }
        holder?.fail()
    }
}

/// A continuation resumed by the first of several parties to finish; later ones are ignored.
private final class ResumeOnce<Value: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<Value, any Error>?>

    init(_ continuation: CheckedContinuation<Value, any Error>) {
        self.continuation = Mutex(continuation)
    }

    func resume(with result: Result<Value, any Error>) {
        continuation.withLock { continuation in
            defer { continuation = nil }
            return continuation
        }?.resume(with: result)
    }
}
