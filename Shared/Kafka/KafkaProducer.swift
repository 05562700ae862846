import CRdKafka
public import Logging
public import Metrics
public import ServiceLifecycle
import Synchronization

/// Publishes messages to Kafka and reports when the broker has them.
///
/// A producer owns one librdkafka client (`rd_kafka_t`), idempotent with `acks=all`. Delivery
/// reports are served on a dedicated thread (never Swift's cooperative pool) that **starts in
/// `init`**, so ``send(_:)`` works as soon as the producer exists, with or without ``run()``.
///
/// Run it as a swift-service-lifecycle `Service` in a `ServiceGroup` (or call ``shutdown()``):
/// on graceful shutdown or cancellation it stops accepting messages, flushes outstanding ones
/// for up to ``KafkaProducerConfiguration/flushTimeout``, fails whatever is still undelivered
/// with a retriable error, and stops polling. The client itself is destroyed when the producer
/// is released. Releasing a producer that was never shut down does the same in the background.
///
/// Metrics: `kafka_messages_produced_total{topic}` and `kafka_messages_failed_total{topic}`,
/// plus `kafka_producer_queued_messages` when statistics are enabled.
public final class KafkaProducer: Service, Sendable {
    /// The bounded wait of one `rd_kafka_poll`, which is how quickly a stop request is noticed.
    static let pollTimeoutMilliseconds: Int32 = 100

    private let client: KafkaClientHandle
    private let configuration: KafkaProducerConfiguration
    private let logger: Logger
    private let metrics: KafkaMetrics
    private let gate: Gate
    private let poller: KafkaPollingThread

    /// Whether `send` may still hand messages to librdkafka. Closed under its lock before the
    /// final flush, so no message can slip in after it.
    final class Gate: Sendable {
        let isOpen = Mutex<Bool>(true)
    }

    /// Creates the librdkafka client and starts polling its delivery reports.
    ///
    /// - Throws: ``KafkaError`` of kind ``KafkaError/Kind/configuration`` when a setting is
    ///   unknown or invalid (the message is librdkafka's) or no broker is configured.
    public init(
        configuration: KafkaProducerConfiguration,
        logger: Logger = Logger(label: "bazaar.kafka.producer"),
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) throws {
        guard !configuration.bootstrapServers.isEmpty else {
            throw KafkaError.configuration("bootstrapServers is empty: name at least one broker (e.g. KAFKA_BROKERS)")
        }
        let metrics = KafkaMetrics(factory: metricsFactory, logger: logger)
        let statisticsHandler = metrics.statisticsHandler(enabled: configuration.statisticsInterval != nil)
        let context = KafkaCallbackContext(
            logger: logger,
            errorKind: .delivery,
            onDelivery: { handle, message in
                KafkaProducer.handleDeliveryReport(handle: handle, message: message)
            },
            onStatistics: statisticsHandler
        )
        let client = try KafkaClientHandle(type: RD_KAFKA_PRODUCER, properties: configuration.properties, context: context)
        let gate = Gate()
        self.client = client
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        self.gate = gate
        let flushTimeout = configuration.flushTimeout
        self.poller = KafkaPollingThread(name: "kafka-producer") { thread in
            KafkaProducer.pollUntilStopped(client: client, gate: gate, flushTimeout: flushTimeout, logger: logger, thread: thread)
        }
        logger.debug("Kafka producer created", metadata: ["kafka_client": "\(client.name)"])
    }

    deinit {
        // The polling thread flushes (bounded) and releases the client when it ends.
        poller.requestStop()
    }

    /// Publishes `message` and returns once the broker acknowledged it (all in-sync replicas).
    ///
    /// When librdkafka's local queue is full the call backs off and retries for up to
    /// ``KafkaProducerConfiguration/enqueueTimeout``. Once enqueued, the message is delivered
    /// or fails within ``KafkaProducerConfiguration/messageTimeout``; cancelling the calling task
    /// does not withdraw it.
    ///
    /// - Throws: ``KafkaError`` (see ``KafkaError/isRetriable``), e.g. a retriable
    ///   `_MSG_TIMED_OUT` when no broker acknowledged the message in time, or a
    ///   ``KafkaError/Kind/shutDown`` error after shutdown began; `CancellationError` if the
    ///   task is cancelled while waiting for queue space (the message was then not sent).
    public func send(_ message: KafkaOutgoingMessage) async throws -> KafkaDeliveryReport {
        let outcome = await send(batch: [message])[0]
        if case .failure(let error) = outcome, error.code == KafkaError.Code(RD_KAFKA_RESP_ERR__PURGE_QUEUE), Task.isCancelled,
           error.message == Self.cancelledBeforeSending {
            throw CancellationError()
        }
        return try outcome.get()
    }

    /// Sends `messages` and returns, in their order, each one's delivery report or error, once
    /// the broker acknowledged or refused every one of them.
    ///
    /// Much cheaper per message than concurrent ``send(_:)`` calls: the messages are enqueued in
    /// one pass and share one wait. Messages to the same partition are delivered in order.
    /// A message that cannot be enqueued (queue full past the enqueue timeout, shutdown) gets
    /// its error; if the task is cancelled while waiting for queue space, the messages not yet
    /// enqueued fail with a retriable `_PURGE_QUEUE` error and were not sent.
    public func send(batch messages: [KafkaOutgoingMessage]) async -> [Result<KafkaDeliveryReport, KafkaError>] {
        let batch = DeliveryBatch(topics: messages.map(\.topic), metrics: metrics)
        let clock = ContinuousClock()
        var deadline = clock.now + configuration.enqueueTimeout
        var backoff = Duration.microseconds(100)
        var index = 0
        while index < messages.count {
            let (next, refusal) = enqueue(messages, from: index, into: batch)
            if next > index {
                deadline = clock.now + configuration.enqueueTimeout
                backoff = .microseconds(100)
            }
            index = next
            guard let refusal else { break }
            if refusal.code == .queueFull && clock.now < deadline {
                logger.debug("librdkafka queue full, backing off", metadata: ["kafka_backoff": "\(backoff)"])
                do {
                    try await Task.sleep(for: backoff)
                } catch {
                    for unsent in index..<messages.count {
                        batch.failed(unsent, KafkaError(kind: .delivery, code: RD_KAFKA_RESP_ERR__PURGE_QUEUE,
                                                        message: Self.cancelledBeforeSending, isRetriable: true))
                    }
                    break
                }
                backoff = min(backoff * 2, .milliseconds(5))
            } else {
                batch.failed(index, refusal)
                index += 1
            }
        }
        return await batch.wait()
    }

    static let cancelledBeforeSending = "not sent: the sending task was cancelled while waiting for queue space"

    /// Runs the producer until graceful shutdown or cancellation, then flushes and stops
    /// polling (see the type's documentation). Polling itself started in `init`.
    public func run() async throws {
        await withTaskCancellationOrGracefulShutdownHandler {
            await poller.waitUntilFinished()
        } onCancelOrGracefulShutdown: { [poller] in
            poller.requestStop()
        }
    }

    /// Stops accepting messages, flushes outstanding ones (bounded by
    /// ``KafkaProducerConfiguration/flushTimeout``) and stops polling; for use without a
    /// `ServiceGroup`. Safe to call more than once.
    public func shutdown() async {
        poller.requestStop()
        await poller.waitUntilFinished()
    }

    /// The raw client, for extensions in this module that issue their own requests.
    var clientHandle: KafkaClientHandle { client }

    /// Enqueues `messages` from `start` on, under one hold of the gate, until all are enqueued
    /// or librdkafka refuses one; returns the index of the first message not enqueued and the
    /// refusal (nil when all were enqueued).
    private func enqueue(_ messages: [KafkaOutgoingMessage], from start: Int, into batch: DeliveryBatch) -> (Int, KafkaError?) {
        let client = self.client
        return gate.isOpen.withLock { isOpen -> (Int, KafkaError?) in
            guard isOpen else { return (start, KafkaError.shutDown("the Kafka producer is shutting down")) }
            var topicName = ""
            var topicHandle: OpaquePointer?
            for index in start..<messages.count {
                let message = messages[index]
                if message.topic != topicName || topicHandle == nil {
                    topicName = message.topic
                    topicHandle = client.topic(named: message.topic)
                }
                guard let topicHandle else {
                    return (index, KafkaError(kind: .delivery, code: RD_KAFKA_RESP_ERR__INVALID_ARG, message: "no topic handle for \(message.topic)"))
                }
                do throws(KafkaError) {
                    try KafkaProducer.enqueue(message, topic: topicHandle, opaque: batch.opaque(for: index), on: client.pointer)
                } catch {
                    return (index, error)
                }
            }
            return (messages.count, nil)
        }
    }

    /// Messages handed to librdkafka and not yet delivered or failed (its local queue and those
    /// in flight to the broker).
    public var outstandingMessages: Int {
        Int(rd_kafka_outq_len(client.pointer))
    }

    /// The polling thread's loop: serve delivery reports until stopped, then close the gate,
    /// flush, and fail (purge) whatever the flush could not deliver, so no sender waits forever.
    private static func pollUntilStopped(
        client: KafkaClientHandle, gate: Gate, flushTimeout: Duration, logger: Logger, thread: KafkaPollingThread
    ) {
        let handle = client.pointer
        while !thread.isStopRequested {
            rd_kafka_poll(handle, pollTimeoutMilliseconds)
        }
        gate.isOpen.withLock { $0 = false }
        let flushResult = rd_kafka_flush(handle, Int32(clamping: flushTimeout.wholeMilliseconds))
        if flushResult != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning(
                "Kafka producer could not flush every message before shutdown; failing the rest",
                metadata: ["kafka_outstanding": "\(rd_kafka_outq_len(handle))"]
            )
            rd_kafka_purge(handle, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
            // Serve the purged messages' delivery reports; bounded in case a broker request lingers.
            var attempts = 0
            while rd_kafka_outq_len(handle) > 0 && attempts < 50 {
                rd_kafka_poll(handle, 10)
                attempts += 1
            }
        }
        logger.debug("Kafka producer stopped polling", metadata: ["kafka_client": "\(client.name)"])
    }
}
