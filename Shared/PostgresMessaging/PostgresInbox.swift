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
public struct PostgresInbox: EventApplier {
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

    public func handles(_ type: String) -> Bool { handlers.handler(for: type) != nil }

    public func apply(_ message: KafkaIncomingMessage, attributes: EventAttributes, eventContext: EventContext, logger: Logger) async throws -> Bool {
        guard let handler = handlers.handler(for: attributes.type) else { return false }
        return try await store.transaction { connection in
            let inserted = try await connection.query("""
                INSERT INTO inbox (consumer, event_id, event_type, topic, partition, message_offset)
                VALUES (\(consumer), \(attributes.id), \(attributes.type), \(message.topic), \(message.partition), \(message.offset))
                ON CONFLICT DO NOTHING RETURNING event_id
                """, logger: logger)
            var isNew = false
            for try await _ in inserted.decode(String.self) { isNew = true }
            guard isNew else { return false }
            try await handler(message.value, HandlerContext(connection: connection, eventContext: eventContext, logger: logger))
            return true
        }
    }

    public func describe(_ error: any Error) -> String { PostgresFailure.describe(error) }
}

extension EventConsumer {
    /// A consumer applying `handlers` through the Postgres inbox in `store` (see ``PostgresInbox``).
    public convenience init(name: String, consumer: KafkaConsumer, deadLetterProducer: KafkaProducer, store: PostgresStore,
                            handlers: EventHandlers, retry: RetryPolicy = .init(), maximumBacklogPerPartition: Int = 256, logger: Logger) {
        self.init(name: name, consumer: consumer, deadLetterProducer: deadLetterProducer,
                  applier: PostgresInbox(consumer: name, store: store, handlers: handlers), retry: retry,
                  maximumBacklogPerPartition: maximumBacklogPerPartition, logger: logger)
    }
}
