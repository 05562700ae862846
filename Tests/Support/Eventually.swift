/// Waiting for a state instead of for a time.
///
/// A test that needs something to have happened (a row written, an event consumed, a server
/// back) asks for it again and again until it holds, within a generous limit: CI runs on two
/// busy cores, where a step that takes milliseconds here can take seconds. The limit only bounds
/// a test that is going to fail anyway; no test relies on it or on how long the wait took.

/// Waits until `condition` returns true; an error thrown by `condition` counts as "not yet"
/// (a server still restarting) and is reported if the limit passes.
/// - Parameters:
///   - what: The awaited state, for the failure message ("the order is confirmed").
///   - limit: How long to keep asking before failing.
/// - Throws: ``EventuallyTimeout`` naming `what` and the last error.
public func eventually(_ what: String, within limit: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
    _ = try await eventuallyValue(what, within: limit) { try await condition() ? true : nil }
}

/// Waits until `attempt` returns a value and returns it; nil or a thrown error count as "not yet".
/// - Throws: ``EventuallyTimeout`` naming `what` and the last error.
public func eventuallyValue<Value>(_ what: String, within limit: Duration = .seconds(60),
                                   _ attempt: () async throws -> Value?) async throws -> Value {
    let deadline = ContinuousClock.now + limit
    var interval = Duration.milliseconds(10)
    var lastError: (any Error)?
    while true {
        do {
            if let value = try await attempt() { return value }
            lastError = nil
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            lastError = error
        }
        guard ContinuousClock.now < deadline else { throw EventuallyTimeout(what: what, limit: limit, lastError: lastError) }
        try await Task.sleep(for: interval)
        // Quick at first (most states arrive within milliseconds), then gentle on a busy machine.
        interval = min(interval * 2, .milliseconds(250))
    }
}

/// A state a test waited for did not come about.
public struct EventuallyTimeout: Error, CustomStringConvertible {
    public let what: String
    public let limit: Duration
    public let lastError: (any Error)?

    public var description: String {
        "gave up waiting for \(what) after \(limit)" + (lastError.map { "; last error: \($0)" } ?? "")
    }
}

/// Runs `body` and returns its result, failing with ``EventuallyTimeout`` (and cancelling it)
/// if it has not finished within `limit`: for a step that must end (a shutdown, a drained
/// stream) and that would otherwise hang the test run when it regresses.
public func finishing<Result: Sendable>(_ what: String, within limit: Duration = .seconds(60),
                                        _ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
    try await withThrowingTaskGroup(of: Result?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let result = first else {
            throw EventuallyTimeout(what: what, limit: limit, lastError: nil)
        }
        return result
    }
}
