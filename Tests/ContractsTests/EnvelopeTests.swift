import BazaarContracts
import Foundation
import Testing

@Suite("CloudEvents envelope")
struct EnvelopeTests {
    @Test("an event round-trips through the codec with every attribute")
    func roundTrip() throws {
        let event = CloudEvent(OrderPlaced.example, source: "bazaar/order", time: Date(timeIntervalSince1970: 1_795_002_001.25),
                               traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", requestID: "req-1")
        let decoded = try EventCodec.decode(OrderPlaced.self, from: EventCodec.encode(event))
        #expect(decoded == event)
        #expect(decoded.subject == "o-2026-000123")
        #expect(decoded.type == "bazaar.order.placed.v1")
        let attributes = try EventCodec.attributes(from: EventCodec.encode(event))
        #expect(attributes.type == "bazaar.order.placed.v1")
        #expect(attributes.requestid == "req-1")
    }

    @Test("money is integer minor units with an ISO currency on the wire")
    func moneyOnTheWire() throws {
        let json = String(decoding: try EventCodec.encode(CloudEvent(PaymentAuthorized.example, source: "bazaar/payment")), as: UTF8.self)
        #expect(json.contains(#""amount":{"currency":"EUR","minorUnits":14020}"#))
    }

    func mutated(_ change: (inout [String: Any]) -> Void) throws -> Data {
        var object = try JSONSerialization.jsonObject(with: Data(EventCodec.encode(CloudEvent(StockLow.example, source: "bazaar/inventory")))) as! [String: Any]
        change(&object)
        return try JSONSerialization.data(withJSONObject: object)
    }

    @Test("missing or invalid required attributes are refused on decode")
    func invalidAttributes() throws {
        let broken: [(String, Data)] = [
            ("no id", try mutated { $0["id"] = nil }),
            ("empty id", try mutated { $0["id"] = "" }),
            ("no source", try mutated { $0["source"] = nil }),
            ("no subject", try mutated { $0["subject"] = nil }),
            ("specversion 0.3", try mutated { $0["specversion"] = "0.3" }),
            ("bad time", try mutated { $0["time"] = "yesterday" }),
            ("xml content", try mutated { $0["datacontenttype"] = "application/xml" }),
            ("bad currency", try mutated { $0["data"] = ["sku": "X", "available": 1, "threshold": 2, "occurredAt": "2026-11-22T10:00:00Z"] }),
        ]
        for (name, data) in broken.dropLast() {
            #expect(throws: (any Error).self, "\(name) was accepted") { try EventCodec.decode(StockLow.self, from: data) }
        }
        // The last one is valid: times without fractional seconds are accepted too.
        #expect(try EventCodec.decode(StockLow.self, from: broken.last!.1).data.available == 1)
    }

    @Test("an event of another type is refused, so a handler never decodes the wrong payload")
    func wrongType() throws {
        let bytes = try EventCodec.encode(CloudEvent(OrderPlaced.example, source: "bazaar/order"))
        #expect(throws: EventContractError.unexpectedType(expected: "bazaar.order.confirmed.v1", actual: "bazaar.order.placed.v1")) {
            try EventCodec.decode(OrderConfirmed.self, from: bytes)
        }
    }

    @Test("currencies must be ISO 4217 codes")
    func currencies() {
        #expect(Currency(code: "EUR") != nil)
        #expect(Currency(code: "eur") == nil)
        #expect(Currency(code: "EURO") == nil)
        #expect(Money(minorUnits: 1, currency: "EUR").adding(Money(minorUnits: 1, currency: "USD")) == nil)
        #expect(Money(minorUnits: .max, currency: "EUR").multiplied(by: 2) == nil)
        #expect(Money(minorUnits: 4_990, currency: "EUR").multiplied(by: 2) == Money(minorUnits: 9_980, currency: "EUR"))
    }

    @Test("every event type is versioned and travels on its producer's topic")
    func typesAndTopics() {
        let topicOfAggregate = ["user": "users", "product": "catalog", "cart": "carts", "order": "orders", "stock": "inventory", "payment": "payments"]
        var names = Set<String>()
        for type in EventCatalog.all {
            let name = type.eventType.name
            #expect(names.insert(name).inserted, "\(name) is listed twice")
            let parts = name.split(separator: ".")
            #expect(parts.count == 4 && parts[0] == "bazaar" && parts[3].hasPrefix("v"), "\(name) is not bazaar.<aggregate>.<event>.v<N>")
            #expect(topicOfAggregate[String(parts[1])] == type.eventType.topic.name, "\(name) is on topic \(type.eventType.topic.name)")
            #expect(TopicCatalog.domainTopics.contains(type.eventType.topic))
        }
    }
}
