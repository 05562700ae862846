public import BazaarKafka
public import BazaarContracts
public import Logging
public import ServiceLifecycle
import BazaarCore
import Foundation
import Metrics
import Synchronization

/// How a consumer retries a failing handler before giving the message to the dead-letter topic.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var maximumAttempts = 5
    public var initialBackoff: Duration = .milliseconds(100)
    public var maximumBackoff: Duration = .seconds(10)

    public init(maximumAttempts: Int = 5, initialBackoff: Duration = .milliseconds(100), maximumBackoff: Duration = .seconds(10)) {
        self.maximumAttempts = maximumAttempts
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
    }

    func backoff(afterAttempt attempt: Int) -> Duration {
        min(initialBackoff * (1 << min(attempt - 1, 20)), maximumBackoff)
    }
}

/// How a store applies an event's effect exactly once, for the shared ``EventConsumer``: the
/// Postgres inbox (`PostgresInbox`: the handler and the event id's inbox row in one transaction)
/// or a projection whose writes are idempotent by themselves (the cart's product prices, applied
/// only when newer than what it holds).
public protocol EventApplier: Sendable {
    /// The topics the handled event types travel on.
    var topics: [TopicDefinition] { get }
    /// Whether events of `type` are handled, acknowledged and skipped (other events on the same
    /// topics), or dead-lettered as an uncatalogued version of a handled event.
    func disposition(of type: String) -> EventDisposition
    /// Applies the event once. Returns false when it had been applied before (a redelivery),
    /// and then changes nothing. Throws ``UndecodableEvent`` for an event that can never be
    /// applied (dead-lettered at once); any other error is retried.
    func apply(_ message: KafkaIncomingMessage, attributes: EventAttributes, eventContext: EventContext, logger: Logger) async throws -> Bool
    /// How to show the store's errors in logs and dead-letter headers.
    func describe(_ error: any Error) -> String
}

/// An ``EventApplier`` that can also apply several events as one unit (the Postgres inbox: one
/// transaction); the consumer batches only through such an applier.
public protocol BatchEventApplier: EventApplier {
    /// Applies consecutive events of one partition, in order, all or none (one transaction);
    /// returns for each whether it was new (false: applied before, nothing changed). When it
    /// throws nothing was applied, and the consumer applies the events one at a time instead.
    func apply(batch: [BatchedEvent], logger: Logger) async throws -> [Bool]
}

/// One event of a batch handed to ``EventApplier/apply(batch:logger:)``.
public struct BatchedEvent: Sendable {
    public let message: KafkaIncomingMessage
    public let attributes: EventAttributes
    public let eventContext: EventContext
    /// Carries the event's ids and trace, as for a single event.
    public let logger: Logger
}

extension EventApplier {
    public func describe(_ error: any Error) -> String { "\(error)" }
}

/// Consumes events idempotently through an ``EventApplier`` (the store decides how an event is
/// applied once), so a redelivered event is acknowledged without a second effect.
///
/// Partitions are handled in parallel, each in a lane of its own: a partition's messages (and so
/// one aggregate's events, which share a key and a partition) are handled one at a time, in
/// order, and its offset is stored only after each message's transaction committed; a slow or
/// retrying message holds up its own partition only. A partition with `maximumBacklogPerPartition`
/// messages waiting in its lane is paused until its lane catches up, so a slow lane cannot make
/// memory grow.
///
/// Under load a lane takes up to `maximumBatch` of its partition's waiting messages at once and,
/// when the applier supports it (the Postgres inbox), applies them in one transaction: one
/// commit, not one per event. A batch that fails is rolled back as a whole and its messages are
/// applied one at a time, each with its own retries, so one bad message costs its batch the
/// shortcut and nothing else. Idle, a lane holds one message and nothing waits to fill a batch.
///
/// A failing handler is retried with exponential back-off; after the last attempt the message
/// goes to `<topic>.dlq` with headers naming the error, the attempts and where it came from, and
/// the consumer moves on. A message that is not a valid event, or is a version of a handled event
/// that the event catalog does not list, goes to the DLQ at once.
public final class EventConsumer: Service, Sendable {
    /// The consumer group (in logs, metrics and dead-letter headers).
    public let name: String
    let consumer: KafkaConsumer
    let producer: KafkaProducer
    let applier: any EventApplier
    let retry: RetryPolicy
    let logger: Logger
    let maximumBacklogPerPartition: Int
    let maximumBatch: Int
    private let outcomes = Mutex<[String: Int]>([:])

    /// How many messages ended how (`handled`, `duplicate`, `skipped`, `dead_lettered`) since start;
    /// the same numbers go to the `events_consumed_total` metric.
    public var outcomeCounts: [String: Int] { outcomes.withLock { $0 } }

    public init(name: String, consumer: KafkaConsumer, deadLetterProducer: KafkaProducer, applier: any EventApplier,
                retry: RetryPolicy = .init(), maximumBacklogPerPartition: Int = 256, maximumBatch: Int = 1, logger: Logger) {
        self.maximumBacklogPerPartition = max(maximumBacklogPerPartition, 1)
        self.maximumBatch = max(maximumBatch, 1)
        self.name = name
        self.consumer = consumer
        self.producer = deadLetterProducer
        self.applier = applier
        self.retry = retry
        self.logger = logger
    }

    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.consumer.run() }
            try await dispatchToPartitionLanes()
            try await group.waitForAll()
        }
    }

    /// Reads the consumer's messages and hands each to its partition's lane; returns once the
    /// consumer has stopped and every lane has finished. It never waits for a lane: a partition
    /// whose lane has `maximumBacklogPerPartition` messages waiting is paused instead (and resumed
    /// when half of them are handled), so a slow partition holds up neither the others nor the
    /// reading, and memory stays bounded.
    private func dispatchToPartitionLanes() async throws {
        try await withThrowingTaskGroup(of: Void.self) { lanes in
            var laneQueues: [KafkaTopicPartition: Lane] = [:]
            defer { for lane in laneQueues.values { lane.finish() } }
            for try await message in consumer.messages {
                let partition = message.topicPartition
                let lane: Lane
                if let existing = laneQueues[partition] {
                    lane = existing
                } else {
                    lane = Lane(partition: partition, limit: maximumBacklogPerPartition, consumer: consumer)
                    laneQueues[partition] = lane
                    lanes.addTask { await self.handleLane(lane) }
                }
                lane.add(message)
            }
        }
    }

    /// Handles one partition's messages in order, storing each offset after its transaction.
    private func handleLane(_ lane: Lane) async {
        var abandoned = false
        while let messages = await lane.next(maximum: maximumBatch) {
            defer { lane.handled(messages.count) }
            // After an abandoned message (shutdown mid-retry) the lane stores no further offset,
            // so it and everything after it are delivered again after restart.
            guard !abandoned else { continue }
            let outcomes = await process(batch: messages)
            for (message, outcome) in zip(messages, outcomes) {
                guard outcome != .abandoned else {
                    abandoned = true
                    break
                }
                do {
                    try consumer.storeOffset(for: message)
                } catch {
                    // The partition moved to another consumer in a rebalance; it will see the
                    // message again and the inbox will keep that from having a second effect.
                    logger.info("offset not stored after rebalance", metadata: ["error": .string("\(error)")])
                }
            }
        }
    }

    /// Applies consecutive messages of one partition: as one batch when there are several and the
    /// applier supports it, else (and after a failed batch) one at a time. One outcome per
    /// message, in order; after an `.abandoned` one the rest were not processed.
    func process(batch messages: [KafkaIncomingMessage]) async -> [Outcome] {
        if messages.count > 1, let batchApplier = applier as? any BatchEventApplier, let outcomes = await applyAsOne(messages, through: batchApplier) {
            return outcomes
        }
        var outcomes: [Outcome] = []
        for message in messages {
            let outcome = await process(message)
            outcomes.append(outcome)
            if outcome == .abandoned { break }
        }
        return outcomes
    }

    /// The batch's outcomes, or nil when it has to be applied one message at a time (a message
    /// that is not a valid event, or a failed batch, whose transaction was rolled back).
    private func applyAsOne(_ messages: [KafkaIncomingMessage], through batchApplier: any BatchEventApplier) async -> [Outcome]? {
        var events: [BatchedEvent] = []
        var skippedTypes: [Int: String] = [:]
        for (index, message) in messages.enumerated() {
            let attributes: EventAttributes
            do {
                attributes = try EventCodec.attributes(from: message.value)
            } catch {
                return nil  // not a valid event: applied one at a time, which dead-letters it with this error
            }
            switch applier.disposition(of: attributes.type) {
            case .handle:
                events.append(BatchedEvent(message: message, attributes: attributes, eventContext: EventContext(event: attributes),
                                           logger: messageLogger(message, attributes)))
            case .skip:
                skippedTypes[index] = attributes.type
            case .unsupportedVersion:
                return nil  // applied one at a time, which dead-letters it
            }
        }
        var applied: [Bool] = []
        if !events.isEmpty {
            do {
                applied = try await batchApplier.apply(batch: events, logger: logger)
            } catch {
                logger.info("a batch of events failed and was rolled back; applying them one at a time",
                            metadata: ["events": .stringConvertible(events.count), "error": .string(applier.describe(error))])
                return nil
            }
        }
        var outcomes: [Outcome] = []
        var next = 0
        for index in messages.indices {
            if let type = skippedTypes[index] {
                record(.skipped, type: type)
                outcomes.append(.skipped)
            } else {
                let outcome: Outcome = applied[next] ? .handled : .duplicate
                record(outcome, type: events[next].attributes.type)
                outcomes.append(outcome)
                next += 1
            }
        }
        return outcomes
    }

    /// What happened to one message, for metrics and tests.
    enum Outcome: String {
        case handled, duplicate, skipped, deadLettered = "dead_lettered", abandoned
    }

    @discardableResult
    func process(_ message: KafkaIncomingMessage) async -> Outcome {
        let attributes: EventAttributes
        do {
            attributes = try EventCodec.attributes(from: message.value)
        } catch {
            return await deadLetter(message, error: "not a valid CloudEvent: \(error)", attempts: 1, logger: messageLogger(message))
        }
        let eventContext = EventContext(event: attributes)
        let logger = messageLogger(message, attributes)
        switch applier.disposition(of: attributes.type) {
        case .handle:
            break
        case .skip:
            record(.skipped, type: attributes.type)
            return .skipped
        case .unsupportedVersion(let readable):
            return await deadLetter(message, error: "unknown event version: \(attributes.type) is not in the event catalog (this consumer reads \(readable.joined(separator: ", ")))",
                                    attempts: 1, logger: logger)
        }
        var attempt = 0
        while true {
            attempt += 1
            do {
                let applied = try await applier.apply(message, attributes: attributes, eventContext: eventContext, logger: logger)
                let outcome: Outcome = applied ? .handled : .duplicate
                if !applied { logger.info("duplicate event acknowledged without effect") }
                record(outcome, type: attributes.type)
                return outcome
            } catch let error as UndecodableEvent {
                return await deadLetter(message, error: error.description, attempts: attempt, logger: logger)
            } catch {
                let description = applier.describe(error)
                guard attempt < retry.maximumAttempts else {
                    return await deadLetter(message, error: description, attempts: attempt, logger: logger)
                }
                logger.warning("event handler failed; retrying", metadata: ["attempt": .stringConvertible(attempt), "error": .string(description)])
                do {
                    try await Task.sleep(for: retry.backoff(afterAttempt: attempt))
                } catch {
                    return .abandoned
                }
            }
        }
    }

    /// The consumer's logger with the message's position and, once read, the event's ids and trace.
    private func messageLogger(_ message: KafkaIncomingMessage, _ attributes: EventAttributes? = nil) -> Logger {
        var logger = self.logger
        logger[metadataKey: "kafka_topic"] = .string(message.topic)
        logger[metadataKey: "kafka_partition"] = .stringConvertible(message.partition)
        logger[metadataKey: "kafka_offset"] = .stringConvertible(message.offset)
        guard let attributes else { return logger }
        logger[metadataKey: "event_id"] = .string(attributes.id)
        logger[metadataKey: "event_type"] = .string(attributes.type)
        if let trace = attributes.traceparent.flatMap(TraceContext.continuing) {
            logger[metadataKey: "trace_id"] = .string(trace.traceID)
        }
        if let requestID = attributes.requestid { logger[metadataKey: "request_id"] = .string(requestID) }
        return logger
    }

    /// Sends the message to `<topic>.dlq` (retrying until the broker takes it, since dropping it
    /// would lose the event) with headers explaining why.
    private func deadLetter(_ message: KafkaIncomingMessage, error: String, attempts: Int, logger: Logger) async -> Outcome {
        logger.error("event sent to dead-letter topic", metadata: ["error": .string(error), "attempts": .stringConvertible(attempts)])
        let record = DeadLetter.message(for: message, consumer: name, error: error, attempts: attempts)
        var backoff = retry.initialBackoff
        while true {
            do {
                _ = try await producer.send(record)
                self.record(.deadLettered, type: message.headerString("ce_type") ?? "unknown")
                return .deadLettered
            } catch {
                logger.error("could not write to the dead-letter topic; retrying", metadata: ["error": .string("\(error)")])
                do { try await Task.sleep(for: backoff) } catch { return .abandoned }
                backoff = min(backoff * 2, retry.maximumBackoff)
            }
        }
    }

    private func record(_ outcome: Outcome, type: String) {
        outcomes.withLock { $0[outcome.rawValue, default: 0] += 1 }
        Counter(label: "events_consumed_total", dimensions: [("consumer", name), ("type", type), ("outcome", outcome.rawValue)]).increment()
    }
}

/// One partition's messages waiting to be handled, in order. Pauses the partition when
/// `limit` messages wait (or are being handled) and resumes it once half of them are handled.
/// Pause and resume are decided under one lock and applied by the consumer in that order, so a
/// partition is never left paused with an empty lane.
final class Lane: Sendable {
    let partition: KafkaTopicPartition
    let limit: Int
    let consumer: KafkaConsumer
    private struct State {
        var queued: [KafkaIncomingMessage] = []
        /// Queued plus being handled.
        var waiting = 0
        var paused = false
        var finished = false
    }
    private let state = Mutex(State())
    private let arrival = WakeupSignal()

    init(partition: KafkaTopicPartition, limit: Int, consumer: KafkaConsumer) {
        self.partition = partition
        self.limit = limit
        self.consumer = consumer
    }

    /// Queues a message (called by the dispatcher only).
    func add(_ message: KafkaIncomingMessage) {
        state.withLock { state in
            state.queued.append(message)
            state.waiting += 1
            guard !state.paused, state.waiting >= limit else { return }
            state.paused = true
            consumer.pause(partition)
        }
        arrival.signal()
    }

    /// No more messages come; the lane's task ends once the queued ones are taken.
    func finish() {
        state.withLock { $0.finished = true }
        arrival.signal()
    }

    /// The next messages in order (at most `maximum`, at least one), waiting for one to arrive;
    /// nil once finished and empty.
    func next(maximum: Int) async -> [KafkaIncomingMessage]? {
        while true {
            let taken = state.withLock { state -> [KafkaIncomingMessage]?? in
                if !state.queued.isEmpty {
                    let count = min(maximum, state.queued.count)
                    let taken = Array(state.queued.prefix(count))
                    state.queued.removeFirst(count)
                    return .some(taken)
                }
                return state.finished || Task.isCancelled ? .some(nil) : nil
            }
            if let taken { return taken }
            await arrival.wait(timeout: .seconds(3600))
        }
    }

    /// `count` taken messages were handled.
    func handled(_ count: Int) {
        state.withLock { state in
            state.waiting -= count
            guard state.paused, state.waiting <= limit / 2 else { return }
            state.paused = false
            consumer.resume(partition)
        }
    }
}

/// The dead-letter record of a message a consumer could not process.
public enum DeadLetter {
    /// Header names on dead-letter records.
    public static let errorHeader = "dlq_error"
    public static let attemptsHeader = "dlq_attempts"
    public static let consumerHeader = "dlq_consumer"
    public static let originalTopicHeader = "dlq_original_topic"
    public static let originalPartitionHeader = "dlq_original_partition"
    public static let originalOffsetHeader = "dlq_original_offset"

    /// The original key, value and headers, plus the headers explaining the failure.
    static func message(for message: KafkaIncomingMessage, consumer: String, error: String, attempts: Int) -> KafkaOutgoingMessage {
        var headers = message.headers
        headers.append((errorHeader, Array(error.utf8)))
        headers.append((attemptsHeader, Array(String(attempts).utf8)))
        headers.append((consumerHeader, Array(consumer.utf8)))
        headers.append((originalTopicHeader, Array(message.topic.utf8)))
        headers.append((originalPartitionHeader, Array(String(message.partition).utf8)))
        headers.append((originalOffsetHeader, Array(String(message.offset).utf8)))
        return KafkaOutgoingMessage(topic: message.topic + ".dlq", key: message.key, value: message.value, headers: headers)
    }
}
