import BazaarCore
import BazaarTestSupport
import Synchronization
import Testing

/// The counting semaphore behind the MongoDB pool and the event consumer's in-flight bound.
@Suite("Async permits")
struct AsyncPermitsTests {
    @Test("under contention every waiter gets a permit and no more than the count are ever held",
          .timeLimit(.minutes(3)))
    func contention() async throws {
        // Once, a permit released between a waiter's first look and its queueing went back to the
        // pool unseen, and that waiter (and a consumer behind it) waited for ever: here the run
        // would not finish. It shows best with two tasks and one permit (the queue is often empty).
        // 5,000 rounds per task: enough interleavings, and short enough not to hold the shared
        // cooperative pool from the tests running beside it (20,000 starved their live servers
        // into client read timeouts on a busy machine). The time limit only catches a hang.
        for (count, tasks) in [(1, 2), (2, 6)] {
            let permits = AsyncPermits(count: count)
            let holders = Holders()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<tasks {
                    group.addTask {
                        for _ in 0..<5_000 {
                            try await permits.withPermit {
                                let now = holders.held.add(1, ordering: .sequentiallyConsistent).newValue
                                holders.most.max(now, ordering: .sequentiallyConsistent)
                                await Task.yield()
                                holders.held.subtract(1, ordering: .sequentiallyConsistent)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(holders.most.load(ordering: .sequentiallyConsistent) <= count)
            #expect(holders.held.load(ordering: .sequentiallyConsistent) == 0)
        }
    }

    @Test("a cancelled waiter gets CancellationError and takes no permit; waiters are served first come, first served")
    func cancellationAndOrder() async throws {
        let permits = AsyncPermits(count: 1)
        try await permits.acquire()
        let cancelled = Task { try await permits.acquire() }
        try await eventually("the waiter to be cancelled to queue") { permits.waiting == 1 }
        let order = Holders()
        // Queued one after the other: each is waiting before the next starts.
        let first = Task { try await permits.acquire(); order.served.withLock { $0.append(1) }; permits.release() }
        try await eventually("the first waiter to queue") { permits.waiting == 2 }
        let second = Task { try await permits.acquire(); order.served.withLock { $0.append(2) }; permits.release() }
        try await eventually("the second waiter to queue") { permits.waiting == 3 }
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(permits.waiting == 2)
        permits.release()
        try await first.value
        try await second.value
        #expect(order.served.withLock { $0 } == [1, 2])
        // All permits are back: one can be taken at once.
        #expect(permits.available == 1)
    }
}

/// What the tasks of a test share.
private final class Holders: Sendable {
    let held = Atomic<Int>(0)
    let most = Atomic<Int>(0)
    let served = Mutex<[Int]>([])
}
