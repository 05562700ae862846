public import BazaarContracts
public import BazaarKafka
import Foundation
public import HummingbirdTesting

extension TestResponse {
    /// The body as a JSON object; throws when it is not one.
    public func jsonObject() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else {
            throw UnexpectedBody(text: text)
        }
        return object
    }

    /// The body as text (for failure messages and substring checks).
    public var text: String { String(buffer: body) }

    struct UnexpectedBody: Error, CustomStringConvertible {
        let text: String
        var description: String { "the response body is not a JSON object: \(text.prefix(300))" }
    }
}

/// The events of type `Payload` among `messages`: others are skipped by their `type`, the
/// matching ones decoded strictly.
public func events<Payload: EventPayload>(_ type: Payload.Type, in messages: [KafkaIncomingMessage]) throws -> [CloudEvent<Payload>] {
    try messages.filter { message in
        (try JSONSerialization.jsonObject(with: Data(message.value)) as? [String: Any])?["type"] as? String == Payload.eventType.name
    }.map { try EventCodec.decode(Payload.self, from: $0.value) }
}
