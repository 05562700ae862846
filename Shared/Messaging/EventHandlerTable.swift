public import BazaarContracts

/// The event types a consumer handles, each with its typed handler, whatever the store: the
/// `Context` is what a handler gets besides the event (a Postgres transaction for the inbox, a
/// Redis client for a projection). Events of other types on the same topics are acknowledged and
/// skipped.
public struct EventHandlerTable<Context: Sendable>: Sendable {
    public typealias Handler = @Sendable (_ bytes: [UInt8], _ context: Context) async throws -> Void
    private var handlers: [String: Handler] = [:]

    public init() {}

    /// Handles events of `Payload`'s type with `handler`; a message that does not decode as one is
    /// an ``UndecodableEvent`` (dead-lettered at once).
    public mutating func on<Payload: EventPayload>(_ payload: Payload.Type,
                                                   _ handler: @escaping @Sendable (CloudEvent<Payload>, Context) async throws -> Void) {
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

    /// The handler for events of `type`, if any.
    public func handler(for type: String) -> Handler? { handlers[type] }

    /// What a consumer does with an event of `type`: handle it; skip it (another event of the
    /// catalog on the same topic, another version of a handled one included: both versions are
    /// produced while consumers migrate); or dead-letter it, for a version of a handled event that
    /// the catalog does not list (`bazaar.order.placed.v2` before v2 joined it): a producer ahead
    /// of the contract, whose event skipping would lose.
    public func disposition(of type: String) -> EventDisposition {
        if handlers[type] != nil { return .handle }
        if EventDisposition.catalogued.contains(type) { return .skip }
        let event = EventDisposition.unversioned(type)
        let readable = handlers.keys.filter { EventDisposition.unversioned($0) == event }.sorted()
        return readable.isEmpty ? .skip : .unsupportedVersion(readable: readable)
    }
}

/// What a consumer does with an event of a given type (see ``EventHandlerTable/disposition(of:)``).
public enum EventDisposition: Sendable, Equatable {
    case handle
    case skip
    /// A version of an event the consumer handles that the catalog does not list, with the
    /// versions the consumer reads.
    case unsupportedVersion(readable: [String])

    static let catalogued = Set(EventCatalog.all.map { $0.eventType.name })

    /// `bazaar.order.placed` for `bazaar.order.placed.v2`; a type without a version stays whole.
    static func unversioned(_ type: String) -> Substring {
        guard let dot = type.lastIndex(of: ".") else { return type[...] }
        let version = type[type.index(after: dot)...]
        guard version.first == "v", version.count > 1, version.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }) else { return type[...] }
        return type[..<dot]
    }
}

/// A message that is not a valid event of its declared type, or whose content can never be
/// applied (a handler throws it, e.g. for a non-positive quantity): retrying cannot help, so the
/// consumer dead-letters it at once.
public struct UndecodableEvent: Error, CustomStringConvertible {
    public let reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { "undecodable event: \(reason)" }
}
