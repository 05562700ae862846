import Synchronization

/// Counts the pool's connections on the Swift side, so that waiting for one suspends a task
/// instead of blocking a thread inside `mongoc_client_pool_pop`.
///
/// A task takes a permit before it submits a job that pops a client, and returns it after the job
/// pushed the client back; a transaction holds one for its whole life. With as many permits as
/// the pool has clients (and as many worker threads), a job never blocks on the pool, and a
/// transaction's own operations (which use the client it holds) always find a free thread.
/// Waiting is first come, first served and ends early with `CancellationError` when the waiting
/// task is cancelled.
final class ConnectionPermits: Sendable {
    private struct State {
        var available: Int
        var nextWaiterID = 0
        var waiters: [(id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
    }

    private let state: Mutex<State>

    /// `count` permits, all available.
    init(count: Int) {
        state = Mutex(State(available: count))
    }

    /// Takes a permit, suspending until one is free.
    /// - Throws: `CancellationError` if the task is cancelled while waiting.
    func acquire() async throws {
        try Task.checkCancellation()
        let waiterID: Int? = state.withLock { state in
            if state.available > 0, state.waiters.isEmpty {
                state.available -= 1
                return nil
            }
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        guard let waiterID else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let cancelledAlready = state.withLock { state in
                    if Task.isCancelled { return true }
                    state.waiters.append((waiterID, continuation))
                    return false
                }
                if cancelledAlready { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let cancelled = state.withLock { state in
                state.waiters.firstIndex { $0.id == waiterID }.map { state.waiters.remove(at: $0).continuation }
            }
            cancelled?.resume(throwing: CancellationError())
        }
    }

    /// Returns a permit, handing it straight to the longest waiting task if there is one.
    func release() {
        let next = state.withLock { state in
            if state.waiters.isEmpty {
                state.available += 1
                return nil as CheckedContinuation<Void, any Error>?
            }
            return state.waiters.removeFirst().continuation
        }
        next?.resume()
    }

    /// Runs `body` holding a permit.
    func withPermit<Result>(_ body: () async throws -> Result) async throws -> Result {
        try await acquire()
        defer { release() }
        return try await body()
    }
}
