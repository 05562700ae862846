import Foundation

/// Runs blocking work (starting or stopping a server process, waiting on a socket) on a thread of
/// its own and waits for it without holding one of Swift's cooperative threads.
///
/// On two cores the cooperative pool has two threads: a test fixture that sleeps or waits for a
/// process on one of them stalls every other test's timers and I/O for as long (once a 200 ms
/// health-check timeout fired after 6.2 s).
func offThePool<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Swift.Result { try body() }) }.start()
    }
}

/// ``offThePool(_:)`` for work that cannot fail (stopping a process).
func offThePool<Result: Sendable>(_ body: @escaping @Sendable () -> Result) async -> Result {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: body()) }.start()
    }
}
