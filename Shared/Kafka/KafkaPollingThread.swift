import Dispatch
import Foundation
import Synchronization

/// A dedicated OS thread for librdkafka's blocking calls.
///
/// `rd_kafka_poll`, `rd_kafka_consumer_poll`, `rd_kafka_flush`, synchronous commits and
/// metadata requests block for up to their timeout; on Swift's cooperative thread pool (one
/// thread per core) that would stall unrelated tasks. Each producer and consumer therefore polls
/// on a thread of its own, stopped through ``requestStop()`` and awaited with
/// ``waitUntilFinished()`` without blocking the caller.
final class KafkaPollingThread: Sendable {
    private let stopRequested = Atomic<Bool>(false)
    private let state = Mutex<State>(State())
    private let finished = DispatchSemaphore(value: 0)

    private struct State {
        var isFinished = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Starts a thread named `name` running `body`, which should return soon after
    /// ``isStopRequested`` becomes true.
    init(name: String, body: @escaping @Sendable (KafkaPollingThread) -> Void) {
        let thread = Thread { [self] in
            body(self)
            self.markFinished()
        }
        thread.name = name
        thread.start()
    }

    /// Whether ``requestStop()`` was called; the loop checks it between polls.
    var isStopRequested: Bool { stopRequested.load(ordering: .acquiring) }

    /// Asks the loop to finish; returns at once.
    func requestStop() {
        stopRequested.store(true, ordering: .releasing)
    }

    /// Suspends until the thread's body has returned.
    func waitUntilFinished() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let alreadyFinished = state.withLock { state in
                if state.isFinished { return true }
                state.waiters.append(continuation)
                return false
            }
            if alreadyFinished { continuation.resume() }
        }
    }

    /// Blocks the calling thread until the body has returned; only for `deinit`, which cannot
    /// suspend. Never call it from the polling thread itself.
    func joinBlocking() {
        finished.wait()
        finished.signal()  // let any other joiner through too
    }

    private func markFinished() {
        let waiters = state.withLock { state in
            state.isFinished = true
            defer { state.waiters = [] }
            return state.waiters
        }
        finished.signal()
        for waiter in waiters { waiter.resume() }
    }

    /// Runs one blocking call on a fresh dedicated thread and returns its result without
    /// blocking the caller's thread.
    static func run<Result: Sendable>(name: String, _ body: @escaping @Sendable () -> Result) async -> Result {
        await withCheckedContinuation { (continuation: CheckedContinuation<Result, Never>) in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.name = name
            thread.start()
        }
    }
}
