public import BazaarMessaging
public import BazaarContracts
public import PostgresNIO
import Foundation
import Logging

/// Appends events to the outbox inside the caller's transaction, so an event exists exactly
/// when the state change it describes was committed.
///
/// The topic and key come from the payload's type (``EventPayload``), so an event cannot be
/// written to the wrong topic or with the wrong key.
public struct Outbox: Sendable {
    /// The CloudEvents `source` of this service's events, e.g. `bazaar/order`.
    public let source: String
    /// Prepended to topic names on a shared cluster (`KAFKA_TOPIC_PREFIX`).
    public let topicPrefix: String
    /// The channel the relay listens on; the outbox's insert trigger
    /// (``MessagingMigrations/outbox``) notifies it when the transaction commits.
    static let notificationChannel = "bazaar_outbox"

    public init(source: String, topicPrefix: String = "") {
        self.source = source
        self.topicPrefix = topicPrefix
    }

    /// Writes `payload` as a CloudEvent into the outbox on `connection`, which must be inside
    /// the transaction that makes the change the event describes.
    @discardableResult
    public func append<Payload: EventPayload>(_ payload: Payload, context: EventContext, on connection: PostgresConnection,
                                               logger: Logger) async throws -> CloudEvent<Payload> {
        let event = CloudEvent(payload, source: source, traceparent: context.traceparent, requestID: context.requestID)
        let body = String(decoding: try EventCodec.encode(event), as: UTF8.self)
        let topic = Payload.eventType.topic.name(prefix: topicPrefix)
        // The outbox's trigger notifies the relay when the transaction commits (never if it rolls back).
        _ = try await connection.execute(Insert(eventID: event.id, eventType: event.type, topic: topic, key: event.subject,
                                                traceparent: event.traceparent, payload: body), logger: logger)
        return event
    }

    /// The outbox row, as a prepared statement (parsed once per connection, not per event).
    struct Insert: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO outbox (event_id, event_type, topic, message_key, traceparent, payload) VALUES ($1, $2, $3, $4, $5, $6)
            """
        typealias Row = ()
        let eventID: String
        let eventType: String
        let topic: String
        let key: String
        let traceparent: String?
        let payload: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 6)
            bindings.append(eventID)
            bindings.append(eventType)
            bindings.append(topic)
            bindings.append(key)
            bindings.append(traceparent)
            bindings.append(payload)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws {}
    }
}
