import Dispatch
import Foundation
import Synchronization

/// A fixed set of dedicated OS threads for libmongoc's blocking calls.
///
/// Every libmongoc operation blocks its thread for a network round trip (and up to
/// `serverSelectionTimeoutMS` while the server is unreachable). On Swift's cooperative pool, one
/// thread per core, that would stall unrelated tasks; here a job waits in a FIFO queue for one of
/// `count` threads, the caller suspends meanwhile, and the result comes back through a
/// continuation. The client sizes this to its connection pool, so a job that runs always finds a
/// free connection.
final class BlockingWorkers: Sendable {
    private let queue: JobQueue
    private let threadsFinished: Mutex<FinishState>

    private struct FinishState {
        var running: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Starts `count` threads named `<name>-<n>`.
    init(count: Int, name: String) {
        let queue = JobQueue()
        self.queue = queue
        self.threadsFinished = Mutex(FinishState(running: count))
        for index in 1...count {
            let thread = Thread { [queue, self] in
                queue.runUntilShutDown()
                self.threadFinished()
            }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    /// Runs `body` on one of the threads and returns its result without blocking the caller.
    /// - Throws: ``MongoError/shutDown`` once ``shutDown()`` was called; otherwise what `body` threw.
    func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
            let accepted = queue.enqueue {
                continuation.resume(with: Swift.Result { try body() })
            }
            if !accepted { continuation.resume(throwing: MongoError.shutDown) }
        }
    }

    /// Stops accepting jobs, lets the queued ones finish, and returns once every thread ended.
    func shutDown() async {
        queue.shutDown()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = threadsFinished.withLock { state in
                if state.running == 0 { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Stops accepting jobs; the threads end after the queued ones, without anyone waiting (for
    /// `deinit`, which may even run on one of these threads).
    func requestShutDown() {
        queue.shutDown()
    }

    private func threadFinished() {
        let waiters = threadsFinished.withLock { state in
            state.running -= 1
            guard state.running == 0 else { return [CheckedContinuation<Void, Never>]() }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// The jobs waiting for a thread: a FIFO under a mutex, and a semaphore counting jobs (plus one
/// wake-up per thread at shutdown).
private final class JobQueue: Sendable {
    typealias Job = @Sendable () -> Void

    private struct State {
        var jobs: [Job] = []
        var head = 0
        var isShutDown = false
        var sleepers = 0
    }

    private let state = Mutex(State())
    private let available = DispatchSemaphore(value: 0)

    /// Adds `job`; false once shut down.
    func enqueue(_ job: @escaping Job) -> Bool {
        let accepted = state.withLock { state in
            guard !state.isShutDown else { return false }
            state.jobs.append(job)
            return true
        }
        if accepted { available.signal() }
        return accepted
    }

    /// Refuses new jobs and wakes every thread so that, with the queue drained, they return.
    func shutDown() {
        let sleepers = state.withLock { state in
            guard !state.isShutDown else { return 0 }
            state.isShutDown = true
            return state.sleepers
        }
        // Threads that are not asleep will find the flag before they wait again; those asleep
        // need one extra signal each. Over-signalling is harmless: every thread re-checks.
        for _ in 0..<max(sleepers, 1) { available.signal() }
    }

    /// A thread's loop: takes jobs in order until the queue is shut down and empty.
    func runUntilShutDown() {
        while true {
            let next: Job?? = state.withLock { state in
                if state.head < state.jobs.count {
                    let job = state.jobs[state.head]
                    state.head += 1
                    if state.head > 64, state.head * 2 > state.jobs.count {
                        state.jobs.removeFirst(state.head)
                        state.head = 0
                    }
                    return .some(job)
                }
                if state.isShutDown { return .none }
                state.sleepers += 1
                return .some(nil)
            }
            switch next {
            case .none:
                available.signal()  // pass the shutdown wake-up on to the next sleeping thread
                return
            case .some(.some(let job)):
                job()
            case .some(.none):
                available.wait()
                state.withLock { $0.sleepers -= 1 }
            }
        }
    }
}
