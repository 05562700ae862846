import Synchronization

/// A counting semaphore for async code: taking a permit suspends the task (never blocks a
/// thread) until one is free. Waiting is first come, first served and ends early with
/// `CancellationError` when the waiting task is cancelled.
///
/// The MongoDB client counts its pool's connections with it (so waiting for one suspends instead
/// of blocking inside `mongoc_client_pool_pop`); an event consumer bounds its messages in flight.
public final class AsyncPermits: Sendable {
    private struct State {
        var available: Int
        var nextWaiterID = 0
        var waiters: [(id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
    }

    private let state: Mutex<State>

    /// `count` permits, all available.
    public init(count: Int) {
        state = Mutex(State(available: count))
    }

    /// Takes a permit, suspending until one is free.
    /// - Throws: `CancellationError` if the task is cancelled while waiting.
    public func acquire() async throws {
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
    public func release() {
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
    public func withPermit<Result>(_ body: () async throws -> Result) async throws -> Result {
        try await acquire()
        defer { release() }
        return try await body()
    }
}
