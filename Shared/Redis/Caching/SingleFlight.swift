import Synchronization

/// Runs at most one operation per key at a time within the process: callers arriving while one
/// runs wait for its result instead of starting their own (100 concurrent cache misses, one load).
///
/// The operation runs in its own task, so a waiter that is cancelled does not cancel the others'
/// result; the entry is removed when the operation ends, so later calls start afresh.
final class SingleFlight<Value: Sendable>: Sendable {
    private struct Flight {
        let id: UInt64
        let task: Task<Value, any Error>
    }

    private struct State {
        var flights: [String: Flight] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Returns the result of the operation running for `key`, starting `operation` if none is.
    /// - Returns: The value, and whether this caller started the operation.
    func run(key: String, _ operation: @escaping @Sendable () async throws -> Value) async throws -> (value: Value, isLeader: Bool) {
        let (task, isLeader) = state.withLock { state -> (Task<Value, any Error>, Bool) in
            if let flight = state.flights[key] { return (flight.task, false) }
            state.nextID &+= 1
            let id = state.nextID
            // Created under the lock: the task's own removal (which takes the lock) therefore
            // always comes after its insertion.
            let task = Task<Value, any Error> { [self] in
                defer { finish(key: key, id: id) }
                return try await operation()
            }
            state.flights[key] = Flight(id: id, task: task)
            return (task, true)
        }
        return (try await task.value, isLeader)
    }

    /// How many operations are running (for tests).
    var count: Int { state.withLock { $0.flights.count } }

    private func finish(key: String, id: UInt64) {
        state.withLock { state in
            if state.flights[key]?.id == id { state.flights[key] = nil }
        }
    }
}
