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

    /// Permits free right now.
    public var available: Int { state.withLock { $0.available } }

    /// Tasks waiting for a permit right now.
    public var waiting: Int { state.withLock { $0.waiters.count } }

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
                // Decided again under the lock that queues the waiter: a permit released since the
                // first look (when no one was queued yet, so it went back to `available`) is taken
                // here; otherwise no release could ever wake this waiter.
                enum Decision { case granted, cancelled, queued }
                let decision = state.withLock { state -> Decision in
                    if Task.isCancelled { return .cancelled }
                    if state.available > 0, state.waiters.isEmpty {
                        state.available -= 1
                        return .granted
                    }
                    state.waiters.append((waiterID, continuation))
                    return .queued
                }
                switch decision {
                case .granted: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .queued: break
                }
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
