public import BazaarMessaging
public import BazaarContracts
public import BazaarKafka
public import BazaarPostgres
public import Logging
public import PostgresNIO

/// What a handler gets besides the event: the transaction its effect and inbox record share,
/// the context to put on events it emits, and a logger carrying the event's trace and ids.
public struct HandlerContext: Sendable {
    /// Inside the transaction that also records the event in the inbox.
    public let connection: PostgresConnection
    /// Pass to ``Outbox/append`` so emitted events continue this event's trace.
    public let eventContext: EventContext
    public let logger: Logger
}

/// The event types a Postgres service consumes, each handled inside the inbox transaction.
public typealias EventHandlers = EventHandlerTable<HandlerContext>

/// Applies each event once through the `inbox` table: the handler runs in one transaction with
/// the insert of the event's id, so a redelivered event is acknowledged without a second effect.
/// Include ``MessagingMigrations/inbox`` in the store's migrations.
public struct PostgresInbox: BatchEventApplier {
    /// The consumer group, the inbox's `consumer` column.
    public let consumer: String
    let store: PostgresStore
    let handlers: EventHandlers

    public init(consumer: String, store: PostgresStore, handlers: EventHandlers) {
        self.consumer = consumer
        self.store = store
        self.handlers = handlers
    }

    public var topics: [TopicDefinition] { handlers.topics }

    public func disposition(of type: String) -> EventDisposition { handlers.disposition(of: type) }

    public func apply(_ message: KafkaIncomingMessage, attributes: EventAttributes, eventContext: EventContext, logger: Logger) async throws -> Bool {
        try await store.transaction { connection in
            try await apply(message, attributes: attributes, eventContext: eventContext, on: connection, logger: logger)
        }
    }

    /// The events in order in one transaction: one commit for the batch.
    public func apply(batch: [BatchedEvent], logger: Logger) async throws -> [Bool] {
        try await store.transaction { connection in
            var applied: [Bool] = []
            applied.reserveCapacity(batch.count)
            for event in batch {
                applied.append(try await apply(event.message, attributes: event.attributes, eventContext: event.eventContext,
                                               on: connection, logger: event.logger))
            }
            return applied
        }
    }

    /// Records the event in the inbox and, when it is new, runs its handler, on `connection` (in a transaction).
    private func apply(_ message: KafkaIncomingMessage, attributes: EventAttributes, eventContext: EventContext,
                       on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        guard let handler = handlers.handler(for: attributes.type) else { return false }
        var isNew = false
        for try await _ in try await connection.execute(Record(consumer: consumer, attributes: attributes, message: message), logger: logger) {
            isNew = true
        }
        guard isNew else { return false }
        try await handler(message.value, HandlerContext(connection: connection, eventContext: eventContext, logger: logger))
        return true
    }

    public func describe(_ error: any Error) -> String { PostgresFailure.describe(error) }

    /// The event's inbox row, returning its id only when it is new; a prepared statement (parsed
    /// once per connection, not per event).
    struct Record: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO inbox (consumer, event_id, event_type, topic, partition, message_offset) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT DO NOTHING RETURNING event_id
            """
        typealias Row = String
        let consumer: String
        let attributes: EventAttributes
        let message: KafkaIncomingMessage

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 6)
            bindings.append(consumer)
            bindings.append(attributes.id)
            bindings.append(attributes.type)
            bindings.append(message.topic)
            bindings.append(Int32(message.partition))
            bindings.append(message.offset)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> String { try row.decode(String.self) }
    }
}

extension EventConsumer {
    /// A consumer applying `handlers` through the Postgres inbox in `store` (see ``PostgresInbox``).
    public convenience init(name: String, consumer: KafkaConsumer, deadLetterProducer: KafkaProducer, store: PostgresStore,
                            handlers: EventHandlers, retry: RetryPolicy = .init(), maximumBacklogPerPartition: Int = 256,
                            maximumBatch: Int = 1, logger: Logger) {
        self.init(name: name, consumer: consumer, deadLetterProducer: deadLetterProducer,
                  applier: PostgresInbox(consumer: name, store: store, handlers: handlers), retry: retry,
                  maximumBacklogPerPartition: maximumBacklogPerPartition, maximumBatch: maximumBatch, logger: logger)
    }
}
