import Foundation
import Logging
import Metrics

/// The connection pool: up to `poolSize` dedicated OS threads, each owning one blocking hiredis
/// connection and serving a shared queue of requests.
///
/// Why threads and a queue: hiredis' blocking calls must not run on Swift's cooperative pool (one
/// thread per core), so callers enqueue encoded requests and suspend on a continuation; a pool
/// thread takes them, does the blocking I/O and resumes the callers. A thread takes every request
/// waiting (up to ``maximumBatch``) and sends them in one write, reading the replies in order: under
/// concurrency, callers' commands are pipelined automatically, which costs one system call and one
/// thread wake-up per batch instead of per command. Each request's commands stay together and in
/// order, so a MULTI/EXEC block is never interleaved with another caller's commands.
///
/// Measured with `bazaar-redis-benchmark` on the 2-core development machine: one caller at a
/// time pays two thread hand-offs per round trip (about 6 µs, as much as a loopback round trip)
/// and still reaches 0.7 to 0.8 of `redis-benchmark -c 1`; with 32 callers, batching reaches 1.2 to
/// 3 times `redis-benchmark -c 32` (which does not pipeline). Waking a thread per request instead
/// of letting the busy one batch (see ``needsAnotherThread``) halved the 32-caller rate; spinning
/// before sleeping did not help a loaded machine and burns CPU, so threads sleep at once.
///
/// Threads start on demand up to the pool size, and connect lazily. A failed connection is
/// dropped; the next batch on that thread reconnects. When connecting fails, requests fail fast
/// for a short, growing back-off (100 ms up to 1 s) instead of each waiting for its own attempt.
final class RedisConnectionPool: @unchecked Sendable {
    // `@unchecked Sendable`: every mutable field is guarded by `condition`; `reachability` has its
    // own lock; the rest is immutable.

    /// Requests one thread sends in one write, at most.
    static let maximumBatch = 64
    /// Queued requests per busy thread beyond which another thread is put to work.
    static let backlogPerBusyThread = 16

    let configuration: RedisConfiguration
    let logger: Logger
    private let connectionErrors: Counter
    private let reachability: RedisReachability
    private let condition = NSCondition()
    private var queue: [RedisRequest] = []
    private var idleThreads = 0
    private var threadCount = 0
    private var startedThreads = 0
    private var isClosing = false
    private var closeWaiters: [CheckedContinuation<Void, Never>] = []

    init(configuration: RedisConfiguration, logger: Logger, metricsFactory: any MetricsFactory) {
        self.configuration = configuration
        self.logger = logger
        self.connectionErrors = Counter(label: "redis_connection_errors_total", dimensions: [], factory: metricsFactory)
        self.reachability = RedisReachability(endpoint: "\(configuration.host):\(configuration.port)", logger: logger)
    }

    /// Sends `bytes` (one or more encoded commands) and returns their `replyCount` replies.
    ///
    /// Cancelling the calling task while the request still waits in the queue removes it and
    /// throws `CancellationError`; once a thread has taken it, the request completes (bounded by
    /// the command timeout).
    func submit(_ bytes: [UInt8], replyCount: Int) async throws -> [RedisValue] {
        let request = RedisRequest(bytes: bytes, replyCount: replyCount)
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<[RedisValue], any Error>) in
                condition.lock()
                if isClosing || request.state == .cancelled {
                    condition.unlock()
                    continuation.resume(throwing: isClosing ? RedisError.shutDown : CancellationError())
                    return
                }
                request.continuation = continuation
                request.state = .queued
                queue.append(request)
                var startThread = false
                if needsAnotherThread {
                    if idleThreads > 0 {
                        condition.signal()
                    } else if threadCount < configuration.poolSize {
                        startThread = true
                        threadCount += 1
                        startedThreads += 1
                    }
                }
                let number = startedThreads
                condition.unlock()
                if startThread { self.startThread(number: number) }
            }
        } onCancel: {
            condition.lock()
            switch request.state {
            case .created:
                request.state = .cancelled
                condition.unlock()
            case .queued:
                request.state = .cancelled
                queue.removeAll { $0 === request }
                let continuation = request.continuation
                request.continuation = nil
                condition.unlock()
                continuation?.resume(throwing: CancellationError())
            case .taken, .cancelled:
                condition.unlock()
            }
        }
    }

    /// Requests waiting for a thread, and threads serving a batch (or starting): what tests
    /// wait for instead of pausing.
    var load: (queued: Int, busyThreads: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (queue.count, threadCount - idleThreads)
    }

    /// Stops accepting requests, lets the threads finish what is queued, closes the connections
    /// and returns when every thread has ended.
    func close() async {
        requestClose()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            condition.lock()
            if threadCount == 0 {
                condition.unlock()
                continuation.resume()
            } else {
                closeWaiters.append(continuation)
                condition.unlock()
            }
        }
    }

    /// Like ``close()`` without waiting (for `deinit`).
    func requestClose() {
        condition.lock()
        isClosing = true
        condition.broadcast()
        condition.unlock()
    }

    // MARK: - Pool threads

    private func startThread(number: Int) {
        let thread = Thread { [self] in
            Self.blockBrokenPipeSignal()
            let connection = RedisConnection(configuration: configuration)
            while let batch = nextBatch() {
                serve(batch, on: connection)
            }
            connection.close()
            threadFinished()
        }
        thread.name = "redis-\(number)"
        thread.start()
    }

    /// Waits for requests and takes up to ``maximumBatch`` of them; nil once closing and drained.
    private func nextBatch() -> [TakenRequest]? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty {
            if isClosing { return nil }
            idleThreads += 1
            condition.wait()
            idleThreads -= 1
        }
        let count = min(queue.count, Self.maximumBatch)
        var batch: [TakenRequest] = []
        batch.reserveCapacity(count)
        for request in queue.prefix(count) {
            request.state = .taken
            if let continuation = request.continuation {
                batch.append(TakenRequest(bytes: request.bytes, replyCount: request.replyCount, continuation: continuation))
            }
            request.continuation = nil
        }
        if count == queue.count { queue.removeAll(keepingCapacity: true) } else { queue.removeFirst(count) }
        if needsAnotherThread, idleThreads > 0 { condition.signal() }
        return batch
    }

    /// Whether queued requests should get another thread (called under the lock).
    ///
    /// A thread that finishes a batch takes whatever queued meanwhile before it sleeps, so while
    /// threads are busy, new requests wait for them and go out together in the next batch: big
    /// batches on few connections are the cheapest way to send small commands (one thread
    /// wake-up and one write per batch). Another thread is woken, or started, only when none is
    /// busy, or when the backlog outgrows what the busy ones send at once
    /// (``backlogPerBusyThread`` each), so bursts spread over the pool. A request queued behind a
    /// slow command (a huge value, a long script) therefore waits for it, as it would on the
    /// server anyway: Redis runs one command at a time for all connections.
    private var needsAnotherThread: Bool {
        guard !queue.isEmpty else { return false }
        let busyThreads = threadCount - idleThreads
        return busyThreads == 0 || queue.count >= Self.backlogPerBusyThread * busyThreads
    }

    /// Sends the batch in one write and hands each caller its replies as soon as they are read.
    private func serve(_ batch: [TakenRequest], on connection: RedisConnection) {
        connection.dropIfClosedByServer()
        if !connection.isConnected {
            if let error = reachability.failFastError() {
                fail(batch[...], with: error)
                return
            }
            do {
                try connection.connect()
                reachability.recordSuccess()
            } catch {
                reachability.recordFailure(error)
                connectionErrors.increment()
                fail(batch[...], with: error)
                return
            }
        }
        do {
            for request in batch { try connection.append(request: request.bytes) }
        } catch {
            // Only buffering failed (hiredis is out of memory): nothing was sent.
            connectionErrors.increment()
            fail(batch[...], with: error)
            return
        }
        for (index, request) in batch.enumerated() {
            var replies: [RedisValue] = []
            replies.reserveCapacity(request.replyCount)
            do {
                for _ in 0..<request.replyCount { replies.append(try connection.readReply()) }
            } catch {
                connectionErrors.increment()
                logger.warning("Redis connection dropped", metadata: ["error": .string(error.description)])
                fail(batch[index...], with: error)
                return
            }
            request.continuation.resume(returning: replies)
        }
    }

    private func fail(_ requests: ArraySlice<TakenRequest>, with error: RedisError) {
        for request in requests { request.continuation.resume(throwing: error) }
    }

    private func threadFinished() {
        condition.lock()
        threadCount -= 1
        let waiters = threadCount == 0 ? closeWaiters : []
        if threadCount == 0 { closeWaiters = [] }
        condition.unlock()
        for waiter in waiters { waiter.resume() }
    }

    /// hiredis writes with `write(2)`: a write to a connection the server closed would raise
    /// SIGPIPE and kill the process. Blocked on the pool threads only, the write fails with
    /// `EPIPE` instead (a connection error) and the rest of the process keeps its signal handling.
    private static func blockBrokenPipeSignal() {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
    }
}

/// A caller's request while it waits in the pool's queue. Mutable fields are guarded by the pool's lock.
final class RedisRequest: @unchecked Sendable {
    enum State {
        case created, queued, taken, cancelled
    }

    let bytes: [UInt8]
    let replyCount: Int
    var continuation: UnsafeContinuation<[RedisValue], any Error>?
    var state = State.created

    init(bytes: [UInt8], replyCount: Int) {
        self.bytes = bytes
        self.replyCount = replyCount
    }
}

/// A request a pool thread has taken: from here on only that thread touches it.
struct TakenRequest {
    let bytes: [UInt8]
    let replyCount: Int
    let continuation: UnsafeContinuation<[RedisValue], any Error>
}
