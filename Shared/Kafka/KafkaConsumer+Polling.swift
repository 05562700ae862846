import CRdKafka
import Logging
import Synchronization

/// State a consumer shares with its C callbacks and polling thread (never the consumer itself,
/// which may be deinitialised while librdkafka still calls back).
final class KafkaConsumerState: Sendable {
    let buffer: KafkaMessageBuffer
    let logger: Logger
    /// The partitions currently assigned to this consumer, kept by the rebalance callback.
    let assignment = Mutex<Set<KafkaTopicPartition>>([])
    /// The fatal error that ended consumption, if any.
    let fatalError = Mutex<KafkaError?>(nil)

    init(buffer: KafkaMessageBuffer, logger: Logger) {
        self.buffer = buffer
        self.logger = logger
    }

    /// The error callback's hook: a fatal error ends consumption.
    func record(_ error: KafkaError) {
        guard error.isFatal else { return }
        fatalError.withLock { $0 = $0 ?? error }
    }

    /// The rebalance callback, on the polling thread (inside `rd_kafka_consumer_poll` or
    /// `rd_kafka_consumer_close`). Before partitions are taken away it commits the offsets stored
    /// so far, synchronously, so their next owner starts right after the last handled message.
    /// Supports eager (`range`, `roundrobin`) and cooperative (`cooperative-sticky`) assignors.
    func rebalance(
        handle: OpaquePointer, code: rd_kafka_resp_err_t, list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>
    ) {
        let partitions = Self.topicPartitions(in: list)
        // NULL while the consumer is not (or no longer, during close) a group member: then eager.
        let protocolName: UnsafePointer<CChar>? = rd_kafka_rebalance_protocol(handle)
        let isCooperative = protocolName.map { String(cString: $0) } == "COOPERATIVE"
        let metadata: Logger.Metadata = [
            "kafka_partitions": "\(partitions.sorted().map(\.description).joined(separator: ","))",
            "kafka_rebalance_protocol": "\(isCooperative ? "cooperative" : "eager")",
        ]
        switch code {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            logger.info("Kafka partitions assigned", metadata: metadata)
            if isCooperative {
                report(rd_kafka_incremental_assign(handle, list), doing: "assign partitions")
                assignment.withLock { $0.formUnion(partitions) }
            } else {
                report(rd_kafka_assign(handle, list), doing: "assign partitions")
                assignment.withLock { $0 = partitions }
            }
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            logger.info("Kafka partitions revoked", metadata: metadata)
            if rd_kafka_assignment_lost(handle) != 0 {
                logger.warning("Kafka assignment was lost; stored offsets cannot be committed", metadata: metadata)
            } else {
                Self.commitStoredOffsets(handle: handle, logger: logger)
            }
            buffer.discardMessages(from: partitions)
            if isCooperative {
                report(rd_kafka_incremental_unassign(handle, list), doing: "unassign partitions")
                assignment.withLock { $0.subtract(partitions) }
            } else {
                report(rd_kafka_assign(handle, nil), doing: "unassign partitions")
                assignment.withLock { $0 = [] }
            }
        default:
            let error = KafkaError(kind: .consumer, code: code)
            logger.error("Kafka rebalance failed", metadata: metadata.merging(["kafka_error": "\(error)"]) { $1 })
            report(rd_kafka_assign(handle, nil), doing: "clear the assignment")
            assignment.withLock { $0 = [] }
        }
    }

    /// Commits the offsets stored for the current assignment and waits for the broker.
    /// Nothing stored (`_NO_OFFSET`) is not an error.
    static func commitStoredOffsets(handle: OpaquePointer, logger: Logger) {
        let code = rd_kafka_commit(handle, nil, 0)
        switch code {
        case RD_KAFKA_RESP_ERR_NO_ERROR:
            logger.debug("Kafka consumer committed stored offsets")
        case RD_KAFKA_RESP_ERR__NO_OFFSET:
            break
        default:
            logger.warning(
                "Kafka consumer could not commit stored offsets; they will be delivered again",
                metadata: ["kafka_error": "\(KafkaError(kind: .consumer, code: code))"]
            )
        }
    }

    private func report(_ code: rd_kafka_resp_err_t, doing action: String) {
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
        let error = KafkaError(kind: .consumer, code: code)
        logger.error("Kafka consumer could not \(action)", metadata: ["kafka_error": "\(error)"])
    }

    private func report(_ error: OpaquePointer?, doing action: String) {
        guard let error else { return }
        let failure = KafkaError(kind: .consumer, consuming: error)
        logger.error("Kafka consumer could not \(action)", metadata: ["kafka_error": "\(failure)"])
    }

    static func topicPartitions(in list: UnsafePointer<rd_kafka_topic_partition_list_t>) -> Set<KafkaTopicPartition> {
        let elements = UnsafeBufferPointer(start: list.pointee.elems, count: Int(list.pointee.cnt))
        return Set(elements.map { KafkaTopicPartition(topic: String(cString: $0.topic), partition: Int($0.partition)) })
    }
}

extension KafkaConsumer {
    /// The bounded wait of one poll, which is how quickly a stop request is noticed.
    static let pollTimeoutMilliseconds: Int32 = 100

    /// The polling thread's loop: poll while there is room in the buffer, until stopped or a
    /// fatal error; then end the message sequence, commit stored offsets and close the consumer
    /// (leaving the group, which revokes its partitions through the rebalance callback).
    static func pollUntilStopped(client: KafkaClientHandle, state: KafkaConsumerState, thread: KafkaPollingThread) {
        let handle = client.pointer
        while !thread.isStopRequested && state.fatalError.withLock({ $0 == nil }) {
            guard state.buffer.waitForSpace(timeoutMilliseconds: Int(pollTimeoutMilliseconds)) else { continue }
            guard let message = rd_kafka_consumer_poll(handle, pollTimeoutMilliseconds) else { continue }
            process(polled: UnsafePointer(message), state: state)
            rd_kafka_message_destroy(message)
        }
        let fatalError = state.fatalError.withLock { $0 }
        state.buffer.finish(throwing: fatalError)
        close(handle: handle, logger: state.logger)
    }

    /// Commits what was stored and leaves the group; blocks, so only on a dedicated thread.
    static func close(handle: OpaquePointer, logger: Logger) {
        KafkaConsumerState.commitStoredOffsets(handle: handle, logger: logger)
        let code = rd_kafka_consumer_close(handle)
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            let error = KafkaError(kind: .consumer, code: code)
            logger.warning("Kafka consumer did not close cleanly", metadata: ["kafka_error": "\(error)"])
        } else {
            logger.debug("Kafka consumer closed")
        }
    }

    private static func process(polled message: UnsafePointer<rd_kafka_message_t>, state: KafkaConsumerState) {
        let code = message.pointee.err
        if code == RD_KAFKA_RESP_ERR_NO_ERROR {
            state.buffer.push(KafkaIncomingMessage(copying: message))
            return
        }
        if code == RD_KAFKA_RESP_ERR__PARTITION_EOF { return }
        let text = rd_kafka_message_errstr(message).map { String(cString: $0) }
        let error = KafkaError(kind: .consumer, code: code, message: text)
        state.logger.warning("Kafka consumer error", metadata: ["kafka_error": "\(error)"])
        state.record(error)
    }
}
