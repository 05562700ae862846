import CRdKafka
import Foundation
import Synchronization

/// Where one sent message's outcome meets the task awaiting it.
///
/// `send` retains a box and passes it to librdkafka as the message's opaque (`_private`); the
/// delivery-report callback takes that retain back and completes the box exactly once. The
/// report may arrive before the sender starts waiting, so the box stores it until then.
final class DeliveryBox: Sendable {
    /// The topic the message was sent to, for the report and the metrics.
    let topic: String
    private let state = Mutex<State>(.pending)

    private enum State {
        case pending
        case waiting(CheckedContinuation<KafkaDeliveryReport, any Error>)
        case completed(Result<KafkaDeliveryReport, KafkaError>)
        case delivered
    }

    init(topic: String) {
        self.topic = topic
    }

    /// Records the outcome and wakes the sender if it already waits.
    func complete(_ result: Result<KafkaDeliveryReport, KafkaError>) {
        let waiter = state.withLock { state -> CheckedContinuation<KafkaDeliveryReport, any Error>? in
            switch state {
            case .pending:
                state = .completed(result)
                return nil
            case .waiting(let continuation):
                state = .delivered
                return continuation
            case .completed, .delivered:
                return nil  // librdkafka reports each message once; ignore anything else
            }
        }
        waiter?.resume(with: result)
    }

    /// Waits for the outcome. The wait is not cancellable: once librdkafka has the message,
    /// its fate is decided within `message.timeout.ms`.
    func wait() async throws -> KafkaDeliveryReport {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Result<KafkaDeliveryReport, KafkaError>? in
                switch state {
                case .pending:
                    state = .waiting(continuation)
                    return nil
                case .completed(let result):
                    state = .delivered
                    return result
                case .waiting, .delivered:
                    preconditionFailure("a delivery box is awaited once")
                }
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}

extension KafkaProducer {
    /// The delivery-report callback's work, on the polling thread: turns librdkafka's report
    /// into a ``KafkaDeliveryReport`` or ``KafkaError``, counts it, and completes the box.
    static func handleDeliveryReport(
        handle: OpaquePointer, message: UnsafePointer<rd_kafka_message_t>, metrics: KafkaMetrics
    ) {
        let raw = message.pointee
        guard let opaque = raw._private else { return }  // not sent by us
        let box = Unmanaged<DeliveryBox>.fromOpaque(opaque).takeRetainedValue()
        guard raw.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let error: KafkaError
            if raw.err == RD_KAFKA_RESP_ERR__FATAL {
                error = KafkaError.reported(by: handle, kind: .delivery, code: raw.err, reason: nil)
            } else {
                error = KafkaError(kind: .delivery, code: raw.err)
            }
            metrics.recordFailed(topic: box.topic)
            box.complete(.failure(error))
            return
        }
        let milliseconds = rd_kafka_message_timestamp(message, nil)
        let report = KafkaDeliveryReport(
            topic: box.topic,
            partition: Int(raw.partition),
            offset: raw.offset >= 0 ? raw.offset : nil,
            timestamp: milliseconds >= 0 ? Date(timeIntervalSince1970: Double(milliseconds) / 1000) : nil
        )
        metrics.recordProduced(topic: box.topic)
        box.complete(.success(report))
    }

    /// Hands one message to librdkafka (`rd_kafka_produceva`, which copies key, value and
    /// headers), with `box` as its opaque. Throws librdkafka's error if it refuses the message;
    /// the box is then not retained.
    static func enqueue(_ message: KafkaOutgoingMessage, box: DeliveryBox, on handle: OpaquePointer) throws(KafkaError) {
        let opaque = Unmanaged.passRetained(box).toOpaque()
        let headers = KafkaHeaders.make(message.headers)
        let failure: OpaquePointer? = message.topic.withCString { topic in
            message.value.withUnsafeBytes { value in
                withBytes(of: message.key) { key in
                    var arguments: [rd_kafka_vu_t] = []
                    arguments.reserveCapacity(7)
                    var argument = rd_kafka_vu_t()
                    argument.vtype = RD_KAFKA_VTYPE_TOPIC
                    argument.u.cstr = topic
                    arguments.append(argument)

                    argument = rd_kafka_vu_t()
                    argument.vtype = RD_KAFKA_VTYPE_VALUE
                    argument.u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress)
                    argument.u.mem.size = value.count
                    arguments.append(argument)

                    if let key {
                        argument = rd_kafka_vu_t()
                        argument.vtype = RD_KAFKA_VTYPE_KEY
                        argument.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress)
                        argument.u.mem.size = key.count
                        arguments.append(argument)
                    }
                    if let partition = message.partition {
                        argument = rd_kafka_vu_t()
                        argument.vtype = RD_KAFKA_VTYPE_PARTITION
                        argument.u.i32 = Int32(partition)
                        arguments.append(argument)
                    }
                    if let headers {
                        argument = rd_kafka_vu_t()
                        argument.vtype = RD_KAFKA_VTYPE_HEADERS
                        argument.u.headers = headers
                        arguments.append(argument)
                    }

                    argument = rd_kafka_vu_t()
                    argument.vtype = RD_KAFKA_VTYPE_MSGFLAGS
                    argument.u.i = RD_KAFKA_MSG_F_COPY
                    arguments.append(argument)

                    argument = rd_kafka_vu_t()
                    argument.vtype = RD_KAFKA_VTYPE_OPAQUE
                    argument.u.ptr = opaque
                    arguments.append(argument)

                    return rd_kafka_produceva(handle, arguments, arguments.count)
                }
            }
        }
        if let failure {
            // librdkafka took neither the opaque nor the headers.
            Unmanaged<DeliveryBox>.fromOpaque(opaque).release()
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
