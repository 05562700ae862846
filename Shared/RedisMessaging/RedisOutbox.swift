public import BazaarContracts
public import BazaarMessaging
public import BazaarRedis
import Foundation

/// One event ready to go into a Redis outbox: its CloudEvent and the stream entry's fields.
public struct RedisOutboxEntry: Sendable {
    /// The event's id (`ce_id`).
    public let eventID: String
    /// The stream entry's field–value pairs, flattened (`id`, `type`, `topic`, `key`, `traceparent`, `payload`):
    /// what a script passes to `XADD <stream> * ...` in the step that makes the change.
    public let fields: [String]
}

/// A Redis outbox: a stream the service appends events to in the same atomic step (a Lua script
/// or `MULTI`) as the change they describe; ``RedisOutboxRelay`` publishes the entries in order
/// and deletes each only after the broker acknowledged it. With the cart store's AOF
/// (`appendfsync always`) an entry survives a crash of the service or of Redis the moment the
/// step returned.
///
/// The topic and key come from the payload's type (``EventPayload``), as with the other outboxes.
public struct RedisOutbox: Sendable {
    /// The CloudEvents `source` of this service's events, e.g. `bazaar/cart`.
    public let source: String
    /// Prepended to topic names on a shared cluster (`KAFKA_TOPIC_PREFIX`).
    public let topicPrefix: String
    /// The stream's key; scripts get it as one of their keys.
    public let streamKey: String
    /// Signalled after a local append, so the relay publishes at once instead of at its next poll.
    public let wakeup: WakeupSignal

    public init(source: String, topicPrefix: String = "", streamKey: String = "outbox", wakeup: WakeupSignal = WakeupSignal()) {
        self.source = source
        self.topicPrefix = topicPrefix
        self.streamKey = streamKey
        self.wakeup = wakeup
    }

    /// The entry for `payload` as a CloudEvent carrying `context`'s trace and request id.
    public func entry<Payload: EventPayload>(_ payload: Payload, context: EventContext) throws -> RedisOutboxEntry {
        let event = CloudEvent(payload, source: source, traceparent: context.traceparent, requestID: context.requestID)
        let body = String(decoding: try EventCodec.encode(event), as: UTF8.self)
        return RedisOutboxEntry(eventID: event.id, fields: [
            "id", event.id, "type", event.type, "topic", Payload.eventType.topic.name(prefix: topicPrefix), "key", event.subject,
            "traceparent", event.traceparent ?? "", "payload", body,
        ])
    }

    /// `XADD` of `entry` on its own (when the change needs no script of its own).
    public func appendCommand(_ entry: RedisOutboxEntry) -> RedisCommand {
        RedisCommand(words: ["XADD", .string(streamKey), "*"] + entry.fields.map(RedisArgument.string))
    }

    /// Tells the relay that entries were appended (call after the step that appended them returned).
    public func appended() {
        wakeup.signal()
    }
}
