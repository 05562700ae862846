import CRdKafka
import Dispatch
public import Logging
public import Metrics
public import ServiceLifecycle
import Synchronization

/// Reads messages of a consumer group from Kafka, at least once.
///
/// A consumer owns one librdkafka consumer client (`rd_kafka_t`), subscribed in `init` to its
/// topics. ``run()`` (as a swift-service-lifecycle `Service`) polls on a dedicated thread,
/// never Swift's cooperative pool, and feeds ``messages`` through a bounded buffer.
///
/// Offsets: after handling a message, call ``storeOffset(for:)``; only stored offsets are
/// committed, every ``KafkaConsumerConfiguration/autoCommitInterval``, synchronously before
/// partitions are revoked in a rebalance, and synchronously on shutdown. Whatever was not stored
/// is delivered again (to this or another member of the group), so handlers must be idempotent.
///
/// Shutdown (graceful shutdown, cancellation of ``run()``, or ``shutdown()``): polling stops,
/// ``messages`` ends, stored offsets are committed, and the consumer leaves its group
/// (`rd_kafka_consumer_close`). The client is destroyed when the consumer is released.
///
/// Metrics: `kafka_consumer_lag{topic,partition}` when statistics are enabled.
public final class KafkaConsumer: Service, Sendable {
    private let client: KafkaClientHandle
    private let state: KafkaConsumerState
    private let lifecycle = Mutex<Lifecycle>(.idle)
    /// Applies ``pause(_:)`` and ``resume(_:)`` in the order they were called, off the caller's
    /// thread (librdkafka waits for its own threads to apply them).
    private let flowControl = DispatchQueue(label: "bazaar.kafka.consumer.flow-control")

    private enum Lifecycle {
        case idle
        case running(KafkaPollingThread)
        case finished
    }

    /// Creates the consumer and subscribes it to `topics`; it joins the group once ``run()``
    /// starts polling.
    ///
    /// - Throws: ``KafkaError`` of kind ``KafkaError/Kind/configuration`` when a setting is
    ///   unknown or invalid (the message is librdkafka's), no broker or topic is given, or
    ///   librdkafka rejects the subscription.
    public init(
        configuration: KafkaConsumerConfiguration,
        topics: [String],
        logger: Logger = Logger(label: "bazaar.kafka.consumer"),
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) throws {
        guard !configuration.bootstrapServers.isEmpty else {
            throw KafkaError.configuration("bootstrapServers is empty: name at least one broker (e.g. KAFKA_BROKERS)")
        }
        guard !topics.isEmpty else { throw KafkaError.configuration("a consumer needs at least one topic") }
        guard configuration.maxBufferedMessages >= 1 else {
            throw KafkaError.configuration("maxBufferedMessages must be at least 1")
        }
        var logger = logger
        logger[metadataKey: "kafka_group"] = "\(configuration.groupID)"
        let state = KafkaConsumerState(buffer: KafkaMessageBuffer(capacity: configuration.maxBufferedMessages), logger: logger)
        let metrics = KafkaMetrics(factory: metricsFactory, logger: logger)
        let statisticsHandler = metrics.statisticsHandler(enabled: configuration.statisticsInterval != nil)
        let context = KafkaCallbackContext(
            logger: logger,
            errorKind: .consumer,
            onRebalance: { handle, code, partitions in state.rebalance(handle: handle, code: code, list: partitions) },
            onStatistics: statisticsHandler,
            onError: { error in state.record(error) }
        )
        let client = try KafkaClientHandle(type: RD_KAFKA_CONSUMER, properties: configuration.properties, context: context)
        // Serve rebalances, errors and statistics from the consumer queue the polling thread reads.
        rd_kafka_poll_set_consumer(client.pointer)
        try Self.subscribe(client.pointer, to: topics)
        self.client = client
        self.state = state
        logger.debug("Kafka consumer subscribed", metadata: ["kafka_topics": "\(topics.joined(separator: ","))"])
    }

    deinit {
        let client = self.client
        let state = self.state
        lifecycle.withLock { lifecycle in
            switch lifecycle {
            case .running(let thread):
                thread.requestStop()  // the thread closes the consumer and then releases the client
            case .idle:
                state.buffer.finish()
                // Leaving the group blocks; do it off the caller's thread.
                _ = KafkaPollingThread(name: "kafka-close") { _ in
                    KafkaConsumer.close(handle: client.pointer, logger: state.logger)
                }
            case .finished:
                break
            }
        }
    }

    /// The messages this consumer reads; see ``KafkaConsumerMessages``.
    public var messages: KafkaConsumerMessages {
        KafkaConsumerMessages(buffer: state.buffer)
    }

    /// The partitions currently assigned to this consumer (empty before it joined its group).
    public var assignedPartitions: [KafkaTopicPartition] {
        state.assignment.withLock { $0.sorted() }
    }

    /// Marks `message` as handled: its offset + 1 will be committed with the next commit.
    ///
    /// Store in order within a partition (storing an earlier message after a later one moves the
    /// committed position back). librdkafka only keeps the offset in memory, so this is cheap.
    ///
    /// - Throws: ``KafkaError`` (e.g. `_STATE` when the partition is no longer assigned to
    ///   this consumer after a rebalance: its new owner will handle the message again).
    public func storeOffset(for message: KafkaIncomingMessage) throws {
        guard let list = rd_kafka_topic_partition_list_new(1) else {
            throw KafkaError(kind: .consumer, code: RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE)
        }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let entry = rd_kafka_topic_partition_list_add(list, message.topic, Int32(message.partition))
        entry?.pointee.offset = message.offset + 1
        let code = rd_kafka_offsets_store(client.pointer, list)
        let partitionCode = entry?.pointee.err ?? RD_KAFKA_RESP_ERR_NO_ERROR
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR, partitionCode == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let failure = code != RD_KAFKA_RESP_ERR_NO_ERROR ? code : partitionCode
            throw KafkaError(
                kind: .consumer, code: failure,
                message: "could not store offset \(message.offset + 1) of \(message.topicPartition): "
                    + String(cString: rd_kafka_err2str(failure))
            )
        }
    }

    /// Stops fetching `partition` until ``resume(_:)`` (flow control for a partition whose messages
    /// pile up). Returns at once; pauses and resumes take effect in the order they were called.
    ///
    /// Messages of the partition already polled (at most ``KafkaConsumerConfiguration/maxBufferedMessages``)
    /// are still delivered; those librdkafka had fetched but not yet handed over are dropped and
    /// fetched again on resume, from right after the last message delivered. So nothing is lost or
    /// delivered twice.
    public func pause(_ partition: KafkaTopicPartition) {
        setFlow(of: partition, paused: true)
    }

    /// Fetches `partition` again after ``pause(_:)``, from right after its last delivered message.
    public func resume(_ partition: KafkaTopicPartition) {
        setFlow(of: partition, paused: false)
    }

    private func setFlow(of partition: KafkaTopicPartition, paused: Bool) {
        let client = self.client
        let logger = state.logger
        flowControl.async {
            guard let list = rd_kafka_topic_partition_list_new(1) else { return }
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let entry = rd_kafka_topic_partition_list_add(list, partition.topic, Int32(partition.partition))
            let code = paused ? rd_kafka_pause_partitions(client.pointer, list) : rd_kafka_resume_partitions(client.pointer, list)
            let failure = code != RD_KAFKA_RESP_ERR_NO_ERROR ? code : entry?.pointee.err ?? RD_KAFKA_RESP_ERR_NO_ERROR
            guard failure != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
            // A partition this consumer never had (it was taken away before its first fetch)
            // has nothing to pause or resume.
            let level: Logger.Level = failure == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION ? .debug : .warning
            logger.log(level: level, "Kafka consumer could not \(paused ? "pause" : "resume") \(partition)",
                       metadata: ["kafka_error": "\(KafkaError(kind: .consumer, code: failure))"])
        }
    }

    /// Polls until graceful shutdown or cancellation, then commits stored offsets and leaves the
    /// group (see the type's documentation).
    ///
    /// - Throws: ``KafkaError`` if the consumer was already run or shut down, or if librdkafka
    ///   raised a fatal error.
    public func run() async throws {
        let client = self.client
        let state = self.state
        let thread = try lifecycle.withLock { (lifecycle: inout Lifecycle) throws(KafkaError) -> KafkaPollingThread in
            guard case .idle = lifecycle else { throw KafkaError.shutDown("the Kafka consumer already ran") }
            let thread = KafkaPollingThread(name: "kafka-consumer") { thread in
                KafkaConsumer.pollUntilStopped(client: client, state: state, thread: thread)
            }
            lifecycle = .running(thread)
            return thread
        }
        await withTaskCancellationOrGracefulShutdownHandler {
            await thread.waitUntilFinished()
        } onCancelOrGracefulShutdown: {
            thread.requestStop()
        }
        lifecycle.withLock { $0 = .finished }
        if let error = state.fatalError.withLock({ $0 }) { throw error }
    }

    /// Stops polling, ends ``messages``, commits stored offsets and leaves the group; for use
    /// without a `ServiceGroup`. Returns when the consumer is closed. Safe to call more than once.
    public func shutdown() async {
        let running = lifecycle.withLock { lifecycle -> (thread: KafkaPollingThread?, neverRan: Bool) in
            switch lifecycle {
            case .running(let thread):
                return (thread, false)
            case .idle:
                lifecycle = .finished
                return (nil, true)
            case .finished:
                return (nil, false)
            }
        }
        if let thread = running.thread {
            thread.requestStop()
            await thread.waitUntilFinished()
        } else if running.neverRan {
            state.buffer.finish()
            let client = self.client
            let logger = state.logger
            await KafkaPollingThread.run(name: "kafka-close") {
                KafkaConsumer.close(handle: client.pointer, logger: logger)
            }
        }
    }

    private static func subscribe(_ handle: OpaquePointer, to topics: [String]) throws(KafkaError) {
        guard let list = rd_kafka_topic_partition_list_new(Int32(topics.count)) else {
            throw KafkaError(kind: .consumer, code: RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE)
        }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for topic in topics {
            rd_kafka_topic_partition_list_add(list, topic, RD_KAFKA_PARTITION_UA)
        }
        let code = rd_kafka_subscribe(handle, list)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(
                kind: .configuration, code: code,
                message: "could not subscribe to \(topics.joined(separator: ",")): \(String(cString: rd_kafka_err2str(code)))"
            )
        }
    }
}
