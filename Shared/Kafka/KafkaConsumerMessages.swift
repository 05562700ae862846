import Dispatch
import Synchronization

/// The messages a ``KafkaConsumer`` reads, in the order it polled them (ordered per partition).
///
/// Iterate it in one task (several iterators share the messages, each message going to one of
/// them). It ends when the consumer shuts down (messages still buffered are dropped and, not
/// having been stored, are delivered again later) and throws ``KafkaError`` if the consumer hit
/// a fatal error. Cancelling the iterating task ends the iteration.
///
/// Backpressure: at most ``KafkaConsumerConfiguration/maxBufferedMessages`` wait here; while the
/// buffer is full the polling thread stops polling until the application catches up. A pause
/// longer than librdkafka's `max.poll.interval.ms` (5 minutes by default) makes the consumer
/// leave its group.
public struct KafkaConsumerMessages: AsyncSequence, Sendable {
    /// Each element is one consumed message.
    public typealias Element = KafkaIncomingMessage
    /// Iteration throws ``KafkaError`` when the consumer hit a fatal error.
    public typealias Failure = any Error

    let buffer: KafkaMessageBuffer

    /// Iterates the consumer's messages.
    public struct AsyncIterator: AsyncIteratorProtocol, Sendable {
        let buffer: KafkaMessageBuffer

        /// The next message, or `nil` once the consumer has shut down or the task was cancelled.
        public mutating func next() async throws -> KafkaIncomingMessage? {
            try await buffer.next()
        }
    }

    /// An iterator over the consumer's messages.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(buffer: buffer)
    }
}

/// The bounded buffer between a consumer's polling thread and the tasks iterating its messages.
final class KafkaMessageBuffer: Sendable {
    typealias Waiter = CheckedContinuation<KafkaIncomingMessage?, any Error>

    private enum End {
        case open
        case finished
        case failed(KafkaError)
    }

    private struct State {
        /// Buffered messages from `head` on; the consumed prefix is dropped now and then.
        var messages: [KafkaIncomingMessage] = []
        var head = 0
        var waiters: [(id: UInt64, continuation: Waiter)] = []
        var nextWaiterID: UInt64 = 0
        var end = End.open
        var pollerWaitsForSpace = false

        var count: Int { messages.count - head }

        mutating func popFirst() -> KafkaIncomingMessage? {
            guard head < messages.count else { return nil }
            let message = messages[head]
            head += 1
            if head >= 64 && head * 2 >= messages.count {
                messages.removeFirst(head)
                head = 0
            }
            return message
        }
    }

    /// How many messages may wait at most.
    let capacity: Int
    private let state = Mutex(State())
    /// Signalled when a full buffer gets room while the polling thread waits for it.
    private let space = DispatchSemaphore(value: 0)

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    // MARK: Polling thread side

    /// Whether there is room for another message, waiting up to `timeoutMilliseconds` for it.
    /// Blocks the calling (polling) thread.
    func waitForSpace(timeoutMilliseconds: Int) -> Bool {
        let isFull = state.withLock { state in
            guard state.count >= capacity else { return false }
            state.pollerWaitsForSpace = true
            return true
        }
        guard isFull else { return true }
        _ = space.wait(timeout: .now() + .milliseconds(timeoutMilliseconds))
        return state.withLock { $0.count < capacity }
    }

    /// Hands `message` to a waiting iterator, or buffers it. Dropped once the buffer finished.
    func push(_ message: KafkaIncomingMessage) {
        let waiter = state.withLock { state -> Waiter? in
            guard case .open = state.end else { return nil }
            if !state.waiters.isEmpty { return state.waiters.removeFirst().continuation }
            state.messages.append(message)
            return nil
        }
        waiter?.resume(returning: message)
    }

    /// Drops buffered messages of `partitions` (revoked: their next owner reads them again from
    /// the committed offset). Returns how many were dropped.
    @discardableResult
    func discardMessages(from partitions: Set<KafkaTopicPartition>) -> Int {
        guard !partitions.isEmpty else { return 0 }
        return state.withLock { state in
            let before = state.count
            let kept = state.messages[state.head...].filter { !partitions.contains($0.topicPartition) }
            state.messages = Array(kept)
            state.head = 0
            return before - kept.count
        }
    }

    /// Ends the sequence: iterators get `nil` (or `error`), buffered messages are dropped.
    func finish(throwing error: KafkaError? = nil) {
        let waiters = state.withLock { state -> [Waiter] in
            guard case .open = state.end else { return [] }
            state.end = error.map { .failed($0) } ?? .finished
            state.messages = []
            state.head = 0
            defer { state.waiters = [] }
            return state.waiters.map(\.continuation)
        }
        for waiter in waiters {
            if let error { waiter.resume(throwing: error) } else { waiter.resume(returning: nil) }
        }
        space.signal()
    }

    // MARK: Iterator side

    /// The next message, waiting for one if none is buffered.
    /// Whether an iterator is waiting for a message (for tests).
    var hasWaitingIterator: Bool {
        state.withLock { !$0.waiters.isEmpty }
    }

    func next() async throws -> KafkaIncomingMessage? {
        let id = state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: Waiter) in
                enum Outcome {
                    case message(KafkaIncomingMessage, wakePoller: Bool)
                    case end
                    case failure(KafkaError)
                    case waiting
                }
                let outcome = state.withLock { state -> Outcome in
                    if let message = state.popFirst() {
                        let wakePoller = state.pollerWaitsForSpace && state.count < capacity
                        if wakePoller { state.pollerWaitsForSpace = false }
                        return .message(message, wakePoller: wakePoller)
                    }
                    switch state.end {
                    case .failed(let error): return .failure(error)
                    case .finished: return .end
                    case .open: break
                    }
                    // The cancellation handler may already have run, before this waiter existed.
                    if Task.isCancelled { return .end }
                    state.waiters.append((id, continuation))
                    return .waiting
                }
                switch outcome {
                case .message(let message, let wakePoller):
                    if wakePoller { space.signal() }
                    continuation.resume(returning: message)
                case .end:
                    continuation.resume(returning: nil)
                case .failure(let error):
                    continuation.resume(throwing: error)
                case .waiting:
                    break
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume(returning: nil)
        }
    }
}
