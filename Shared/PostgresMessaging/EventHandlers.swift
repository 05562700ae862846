public import BazaarMessaging
public import BazaarContracts
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

/// The event types a consumer handles, each with its typed handler.
/// Events of other types on the same topics are acknowledged and skipped.
public struct EventHandlers: Sendable {
    typealias ErasedHandler = @Sendable (_ bytes: [UInt8], _ context: HandlerContext) async throws -> Void
    private(set) var handlers: [String: ErasedHandler] = [:]

    public init() {}

    /// Handles events of `Payload`'s type with `handler`.
    public mutating func on<Payload: EventPayload>(_ payload: Payload.Type,
                                                   _ handler: @escaping @Sendable (CloudEvent<Payload>, HandlerContext) async throws -> Void) {
        handlers[Payload.eventType.name] = { bytes, context in
            let event: CloudEvent<Payload>
            do {
                event = try EventCodec.decode(Payload.self, from: bytes)
            } catch {
                throw UndecodableEvent(reason: String(describing: error))
            }
            try await handler(event, context)
        }
    }

    /// The topics the handled types travel on.
    public var topics: [TopicDefinition] {
        Array(Set(EventCatalog.all.filter { handlers[$0.eventType.name] != nil }.map { $0.eventType.topic })).sorted { $0.name < $1.name }
    }

    func handler(for type: String) -> ErasedHandler? { handlers[type] }
}

/// A message that is not a valid event of its declared type, or whose content can never be
/// applied (a handler throws it, e.g. for a non-positive quantity): retrying cannot help, so the
/// consumer dead-letters it at once.
public struct UndecodableEvent: Error, CustomStringConvertible {
    public let reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { "undecodable event: \(reason)" }
}
