import CRdKafka
import Foundation
import Synchronization

/// Where the outcomes of sent messages meet the task awaiting them.
///
/// One batch serves any number of messages with no per-message allocation or lock on the
/// delivery path: each message's librdkafka opaque (`_private`) points at its own slot in
/// `slots`, every slot holds the batch, so the delivery-report callback finds both the batch and
/// the message's index; it writes the outcome into that message's own cell and counts down
/// `remaining`. Whoever completes the last message builds the results and hands them to the
/// waiter (reports may arrive before the sender waits). The batch retains itself while any
/// message is outstanding.
final class DeliveryBatch: @unchecked Sendable {
    // @unchecked: `slots` is written once in `init`; each cell of `outcomes` is written by exactly
    // one completion before its release-decrement of `remaining`, and read only by the completion
    // that brings `remaining` to zero (acquire), so no two threads touch a cell at once.
    private let topics: [String]
    private let metrics: KafkaMetrics
    private let slots: UnsafeMutablePointer<Unmanaged<DeliveryBatch>>
    private let outcomes: UnsafeMutablePointer<Outcome>
    private let remaining: Atomic<Int>
    private let failures = Mutex<[Int: KafkaError]>([:])
    private let handOff = Mutex<HandOff>(.pending)

    /// A message's outcome as the callback records it: plain values, no allocation.
    struct Outcome {
        var partition: Int32 = -1
        var offset: Int64 = -1
        var timestampMilliseconds: Int64 = -1
        var failed = false
    }

    private enum HandOff {
        case pending
        case waiting(CheckedContinuation<[Result<KafkaDeliveryReport, KafkaError>], Never>)
        case finished([Result<KafkaDeliveryReport, KafkaError>])
    }

    init(topics: [String], metrics: KafkaMetrics) {
        self.topics = topics
        self.metrics = metrics
        let capacity = max(topics.count, 1)
        self.slots = .allocate(capacity: capacity)
        self.outcomes = .allocate(capacity: capacity)
        outcomes.initialize(repeating: Outcome(), count: capacity)
        self.remaining = Atomic(topics.count)
        slots.initialize(repeating: Unmanaged.passUnretained(self), count: capacity)
        // Kept alive until the last outcome arrives, whoever holds it meanwhile.
        _ = Unmanaged.passRetained(self)
        if topics.isEmpty { finish() }
    }

    deinit {
        let capacity = max(topics.count, 1)
        slots.deinitialize(count: capacity)
        slots.deallocate()
        outcomes.deinitialize(count: capacity)
        outcomes.deallocate()
    }

    /// The opaque to give librdkafka for message `index`.
    func opaque(for index: Int) -> UnsafeMutableRawPointer { UnsafeMutableRawPointer(slots + index) }

    /// The batch and message index an opaque from ``opaque(for:)`` stands for.
    static func entry(for opaque: UnsafeMutableRawPointer) -> (batch: DeliveryBatch, index: Int) {
        let slot = opaque.assumingMemoryBound(to: Unmanaged<DeliveryBatch>.self)
        let batch = slot.pointee.takeUnretainedValue()
        return (batch, slot - batch.slots)
    }

    /// Records that message `index` was acknowledged.
    func succeeded(_ index: Int, partition: Int32, offset: Int64, timestampMilliseconds: Int64) {
        outcomes[index] = Outcome(partition: partition, offset: offset, timestampMilliseconds: timestampMilliseconds)
        countDown()
    }

    /// Records that message `index` failed with `error`.
    func failed(_ index: Int, _ error: KafkaError) {
        failures.withLock { $0[index] = error }
        outcomes[index].failed = true
        countDown()
    }

    private func countDown() {
        if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { finish() }
    }

    /// Builds the results, counts them in the metrics, wakes the waiter, ends the self-retain.
    private func finish() {
        let failures = self.failures.withLock { $0 }
        // Counted per run of one topic: batches usually go to one topic, and hashing the topic
        // name for every message would cost more than the report itself.
        var tally = TopicTally(metrics: metrics)
        let results = (0..<topics.count).map { index -> Result<KafkaDeliveryReport, KafkaError> in
            let outcome = outcomes[index]
            if outcome.failed, let error = failures[index] {
                tally.count(topic: topics[index], failed: true)
                return .failure(error)
            }
            tally.count(topic: topics[index], failed: false)
            return .success(KafkaDeliveryReport(
                topic: topics[index], partition: Int(outcome.partition), offset: outcome.offset >= 0 ? outcome.offset : nil,
                timestamp: outcome.timestampMilliseconds >= 0 ? Date(timeIntervalSince1970: Double(outcome.timestampMilliseconds) / 1000) : nil
            ))
        }
        tally.flush()
        let waiter = handOff.withLock { state -> CheckedContinuation<[Result<KafkaDeliveryReport, KafkaError>], Never>? in
            if case .waiting(let continuation) = state {
                state = .finished(results)
                return continuation
            }
            state = .finished(results)
            return nil
        }
        waiter?.resume(returning: results)
        Unmanaged.passUnretained(self).release()
    }

    /// Waits for every outcome, in message order. Not cancellable: once librdkafka has a
    /// message, its fate is decided within `message.timeout.ms`.
    func wait() async -> [Result<KafkaDeliveryReport, KafkaError>] {
        await withCheckedContinuation { continuation in
            let ready = handOff.withLock { state -> [Result<KafkaDeliveryReport, KafkaError>]? in
                if case .finished(let results) = state { return results }
                state = .waiting(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}

/// Counts produced and failed messages per topic, recording each run of one topic at once.
private struct TopicTally {
    let metrics: KafkaMetrics
    var topic: String?
    var produced = 0
    var failed = 0

    init(metrics: KafkaMetrics) {
        self.metrics = metrics
    }

    mutating func count(topic: String, failed isFailure: Bool) {
        if topic != self.topic {
            flush()
            self.topic = topic
        }
        if isFailure { failed += 1 } else { produced += 1 }
    }

    mutating func flush() {
        if let topic {
            if produced > 0 { metrics.recordProduced(topic: topic, count: produced) }
            if failed > 0 { metrics.recordFailed(topic: topic, count: failed) }
        }
        produced = 0
        failed = 0
    }
}

extension KafkaProducer {
    /// The delivery-report callback's work, on the polling thread: records the message's outcome
    /// (its partition and offset, or the ``KafkaError``) in its batch.
    static func handleDeliveryReport(
        handle: OpaquePointer, message: UnsafePointer<rd_kafka_message_t>
    ) {
        let raw = message.pointee
        guard let opaque = raw._private else { return }  // not sent by us
        let (batch, index) = DeliveryBatch.entry(for: opaque)
        guard raw.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let error: KafkaError
            if raw.err == RD_KAFKA_RESP_ERR__FATAL {
                error = KafkaError.reported(by: handle, kind: .delivery, code: raw.err, reason: nil)
            } else {
                error = KafkaError(kind: .delivery, code: raw.err)
            }
            batch.failed(index, error)
            return
        }
        batch.succeeded(index, partition: raw.partition, offset: raw.offset, timestampMilliseconds: rd_kafka_message_timestamp(message, nil))
    }

    /// Hands one message to librdkafka (`rd_kafka_produceva`, which copies key, value and
    /// headers) on the topic handle `topic`, with `opaque` as its opaque. Throws librdkafka's
    /// error if it refuses the message.
    static func enqueue(_ message: KafkaOutgoingMessage, topic: OpaquePointer, opaque: UnsafeMutableRawPointer,
                        on handle: OpaquePointer) throws(KafkaError) {
        let headers = KafkaHeaders.make(message.headers)
        let failure: OpaquePointer? = message.value.withUnsafeBytes { value in
            withBytes(of: message.key) { key in
                // At most seven arguments: topic, value, key, partition, headers, flags, opaque.
                withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 7) { arguments in
                    var count = 0
                    func append(_ type: rd_kafka_vtype_t, _ fill: (inout rd_kafka_vu_t) -> Void) {
                        var argument = rd_kafka_vu_t()
                        argument.vtype = type
                        fill(&argument)
                        arguments.initializeElement(at: count, to: argument)
                        count += 1
                    }
                    append(RD_KAFKA_VTYPE_RKT) { $0.u.rkt = topic }
                    append(RD_KAFKA_VTYPE_VALUE) {
                        $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress)
                        $0.u.mem.size = value.count
                    }
                    if let key {
                        append(RD_KAFKA_VTYPE_KEY) {
                            $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress)
                            $0.u.mem.size = key.count
                        }
                    }
                    if let partition = message.partition {
                        append(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = Int32(partition) }
                    }
                    if let headers {
                        append(RD_KAFKA_VTYPE_HEADERS) { $0.u.headers = headers }
                    }
                    append(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
                    append(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = opaque }
                    return rd_kafka_produceva(handle, arguments.baseAddress, count)
                }
            }
        }
        if let failure {
            // librdkafka took neither the message nor the headers.
            if let headers { rd_kafka_headers_destroy(headers) }
            throw KafkaError(kind: .delivery, consuming: failure)
        }
    }
}

/// Calls `body` with the bytes of `bytes`, or with `nil` when there are none.
private func withBytes<Result>(of bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> Result) -> Result {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body($0) }
}
