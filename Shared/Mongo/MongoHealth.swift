import BazaarCore
import Synchronization

/// The readiness check `mongodb`: a `ping` round trip through the pool.
struct MongoHealthCheck: HealthCheck {
    let client: MongoClient
    var name: String { "mongodb" }
    var isRequired: Bool { true }

    func check() async throws {
        try await client.ping()
    }
}

/// Lets concurrent callers share one in-flight operation, and lets each of them stop waiting
/// when cancelled.
///
/// While the server is unreachable a ping blocks a driver thread until server selection times
/// out (`serverSelectionTimeoutMS`, 30 s by default). Health probes arrive more often than that
/// and give up after 2 s; without sharing they would pile up and occupy every driver thread, and
/// without an early return on cancellation each probe would wait the full 30 s.
final class SharedPing: Sendable {
    private struct State {
        var inFlight = false
        var nextWaiterID = 0
        var waiters: [Int: CheckedContinuation<Void, any Error>] = [:]
    }

    private let state = Mutex(State())

    /// Waits for the result of `operation`, started now unless a run is already in flight.
    func run(_ operation: @escaping @Sendable () async throws -> Void) async throws {
        let waiterID = state.withLock { state in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let startsFlight: Bool? = state.withLock { state in
                    if Task.isCancelled { return nil }
                    state.waiters[waiterID] = continuation
                    if state.inFlight { return false }
                    state.inFlight = true
                    return true
                }
                switch startsFlight {
                case nil: continuation.resume(throwing: CancellationError())
                case true?: Task { await self.fly(operation) }
                case false?: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: waiterID) }
            waiter?.resume(throwing: CancellationError())
        }
    }

    private func fly(_ operation: @Sendable () async throws -> Void) async {
        let outcome: Result<Void, any Error>
        do {
            try await operation()
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        let waiters = state.withLock { state in
            state.inFlight = false
            defer { state.waiters = [:] }
            return state.waiters
        }
        for waiter in waiters.values { waiter.resume(with: outcome) }
    }
}
