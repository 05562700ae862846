public import Foundation

/// What an event type is: its versioned name, the topic it travels on, and a one-line summary
/// (published in the AsyncAPI document).
public struct EventType: Sendable, Hashable {
    /// `bazaar.<aggregate>.<event>.v<N>`; a breaking change is a new version.
    public let name: String
    public let topic: TopicDefinition
    public let summary: String

    public init(name: String, topic: TopicDefinition, summary: String) {
        self.name = name
        self.topic = topic
        self.summary = summary
    }
}

/// The `data` of one event type. Each conforming type is the single definition of that event,
/// used by its producer and all its consumers, and published as a JSON Schema.
public protocol EventPayload: Codable, Sendable, Equatable {
    /// The event type this payload belongs to, which also fixes its topic.
    static var eventType: EventType { get }
    /// The aggregate id: the CloudEvents `subject` and the Kafka key, so one aggregate's events
    /// stay ordered in one partition.
    var subject: String { get }
    /// A realistic example, for the published contract and its tests.
    static var example: Self { get }
}

/// A CloudEvents 1.0 event in structured JSON mode (`application/cloudevents+json`).
///
/// Decoding validates the required attributes, so a malformed event is refused before any
/// handler sees it (and goes to the dead-letter topic).
public struct CloudEvent<Payload: EventPayload>: Codable, Sendable, Equatable {
    public let specversion: String
    /// Unique per event; consumers deduplicate on it.
    public let id: String
    /// The producing service, e.g. `bazaar/order`.
    public let source: String
    public let type: String
    public let subject: String
    public let time: Date
    public let datacontenttype: String
    /// W3C trace context of the request or event that caused this one.
    public let traceparent: String?
    /// The `X-Request-ID` of the request that caused this event (CloudEvents extension).
    public let requestid: String?
    public let data: Payload

    /// A new event for `data` with a fresh id.
    public init(_ data: Payload, source: String, id: String = UUID().uuidString.lowercased(), time: Date = Date(),
                traceparent: String? = nil, requestID: String? = nil) {
        self.specversion = "1.0"
        self.id = id
        self.source = source
        self.type = Payload.eventType.name
        self.subject = data.subject
        self.time = time
        self.datacontenttype = "application/json"
        self.traceparent = traceparent
        self.requestid = requestID
        self.data = data
    }

    public init(from decoder: any Decoder) throws {
        let attributes = try EventAttributes(from: decoder)
        guard attributes.type == Payload.eventType.name else {
            throw EventContractError.unexpectedType(expected: Payload.eventType.name, actual: attributes.type)
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.specversion = attributes.specversion
        self.id = attributes.id
        self.source = attributes.source
        self.type = attributes.type
        self.subject = attributes.subject
        self.time = attributes.time
        self.datacontenttype = attributes.datacontenttype ?? "application/json"
        self.traceparent = attributes.traceparent
        self.requestid = attributes.requestid
        self.data = try container.decode(Payload.self, forKey: .data)
    }
}

/// The envelope attributes without `data`: enough to route an event before decoding its payload.
public struct EventAttributes: Decodable, Sendable, Equatable {
    public let specversion: String
    public let id: String
    public let source: String
    public let type: String
    public let subject: String
    public let time: Date
    public let datacontenttype: String?
    public let traceparent: String?
    public let requestid: String?

    enum CodingKeys: String, CodingKey {
        case specversion, id, source, type, subject, time, datacontenttype, traceparent, requestid
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        specversion = try container.decode(String.self, forKey: .specversion)
        guard specversion == "1.0" else { throw EventContractError.invalidAttribute("specversion", "must be 1.0, got \(specversion)") }
        func required(_ key: CodingKeys) throws -> String {
            let value = try container.decode(String.self, forKey: key)
            guard !value.isEmpty else { throw EventContractError.invalidAttribute(key.rawValue, "must not be empty") }
            return value
        }
        id = try required(.id)
        source = try required(.source)
        type = try required(.type)
        subject = try required(.subject)
        time = try container.decode(Date.self, forKey: .time)
        datacontenttype = try container.decodeIfPresent(String.self, forKey: .datacontenttype)
        if let datacontenttype, datacontenttype != "application/json" {
            throw EventContractError.invalidAttribute("datacontenttype", "must be application/json, got \(datacontenttype)")
        }
        traceparent = try container.decodeIfPresent(String.self, forKey: .traceparent)
        requestid = try container.decodeIfPresent(String.self, forKey: .requestid)
    }
}

/// An event that does not meet the contract.
public enum EventContractError: Error, Equatable, CustomStringConvertible {
    case invalidAttribute(String, String)
    case unexpectedType(expected: String, actual: String)

    public var description: String {
        switch self {
        case .invalidAttribute(let name, let problem): "CloudEvents attribute \(name) \(problem)"
        case .unexpectedType(let expected, let actual): "expected an event of type \(expected), got \(actual)"
        }
    }
}

/// Bazaar's one JSON encoding of events: RFC 3339 times with milliseconds, sorted keys.
public enum EventCodec {
    public static func encode<Payload: EventPayload>(_ event: CloudEvent<Payload>) throws -> [UInt8] {
        Array(try encoder.encode(event))
    }

    public static func decode<Payload: EventPayload>(_ type: Payload.Type, from bytes: some DataProtocol) throws -> CloudEvent<Payload> {
        try decoder.decode(CloudEvent<Payload>.self, from: Data(bytes))
    }

    /// The envelope attributes, validated, without decoding the payload.
    public static func attributes(from bytes: some DataProtocol) throws -> EventAttributes {
        try decoder.decode(EventAttributes.self, from: Data(bytes))
    }

    /// The encoder, for payload examples in the published contract.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)))
        }
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = try? Date(text, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)) {
                return date
            }
            if let date = try? Date(text, strategy: .iso8601) { return date }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(text) is not an RFC 3339 time")
        }
        return decoder
    }
}
