import BazaarMongo
import Foundation
import Testing

@Suite("BSON encoding and decoding")
struct BSONCodingTests {
    @Test("a product survives encoding to BSON bytes and back, with BSON's own types")
    func productRoundTrip() throws {
        var product = Product.sample(1, price: 129_900)
        product.compareAtPrice = .init(minorUnits: 149_900, currency: "EUR")
        product.images.append(.init(url: "https://cdn.example.com/1b.jpg", altText: "Back", width: 400, height: 300))
        product.updatedAt = Date(timeIntervalSince1970: 1_700_000_500.5)

        let document = try BSONEncoder().encode(product)
        #expect(document["_id"] == "product-1")
        #expect(document["price"]?.documentValue?["minorUnits"] == .int64(129_900))
        #expect(document["createdAt"] == .datetime(Date(timeIntervalSince1970: 1_700_000_000.123)))
        #expect(document["isActive"] == true)
        #expect(document["rating"] == .double(4.5))
        #expect(document["images"]?.arrayValue?.count == 2)

        let bytes = try document.bsonBytes()
        let read = try BSONDocument(bsonBytes: bytes)
        #expect(read == document)
        #expect(try BSONDecoder().decode(Product.self, from: read) == product)
    }

    @Test("a nil optional is an absent field, and an absent or null field decodes as nil")
    func optionalsAreAbsentFields() throws {
        let product = Product.sample(2)
        let document = try BSONEncoder().encode(product)
        #expect(document["compareAtPrice"] == nil)
        #expect(document["updatedAt"] == nil)
        #expect(document["images"]?.arrayValue?.first?.documentValue?["altText"] == nil)

        var withNull = document
        withNull["compareAtPrice"] = .null
        #expect(try BSONDecoder().decode(Product.self, from: withNull).compareAtPrice == nil)
    }

    @Test("a missing required field is reported with its path")
    func missingFieldNamesPath() throws {
        var document = try BSONEncoder().encode(Product.sample(3))
        var price = document["price"]!.documentValue!
        price["currency"] = nil
        document["price"] = .document(price)
        #expect {
            try BSONDecoder().decode(Product.self, from: document)
        } throws: { error in
            guard case DecodingError.keyNotFound(let key, let context) = error else { return false }
            return key.stringValue == "currency" && context.codingPath.map(\.stringValue) == ["price"]
        }
    }

    @Test("numbers written by other tools convert when no information is lost")
    func numericConversions() throws {
        struct Counts: Codable, Equatable { var a: Int64; var b: Int; var c: Double; var d: Int32 }
        let document: BSONDocument = ["a": .int32(5), "b": .double(7), "c": .int64(3), "d": .int64(9)]
        #expect(try BSONDecoder().decode(Counts.self, from: document) == Counts(a: 5, b: 7, c: 3, d: 9))
        #expect(throws: DecodingError.self) {
            try BSONDecoder().decode(Counts.self, from: ["a": .double(1.5), "b": 1, "c": 1, "d": 1])
        }
        #expect(throws: DecodingError.self) {
            try BSONDecoder().decode(Counts.self, from: ["a": 1, "b": 1, "c": 1, "d": .int64(Int64(Int32.max) + 1)])
        }
    }

    @Test("ObjectIds are BSON ObjectIds in documents and hexadecimal strings in JSON")
    func objectIds() throws {
        struct Event: Codable, Equatable { var id: ObjectId; var at: Date
            enum CodingKeys: String, CodingKey { case id = "_id", at }
        }
        let event = Event(id: ObjectId(), at: Date(timeIntervalSince1970: 1_000))
        let document = try BSONEncoder().encode(event)
        #expect(document["_id"] == .objectId(event.id))
        #expect(try BSONDecoder().decode(Event.self, from: BSONDocument(bsonBytes: document.bsonBytes())) == event)

        let json = try JSONEncoder().encode(event)
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains("\"\(event.id.description)\""))
        #expect(event.id.description.count == 24)
        #expect(ObjectId(event.id.description) == event.id)
        #expect(ObjectId("not-an-id") == nil)
        #expect(ObjectId() != ObjectId())
    }

    @Test("literals build filters with the types MongoDB's drivers use")
    func literals() throws {
        let filter: BSONDocument = ["stock": ["$gte": 1], "price": ["$lt": 10_000_000_000], "name": "x", "ratio": 0.5, "gone": nil]
        #expect(filter["stock"] == .document(["$gte": .int32(1)]))
        #expect(filter["price"] == .document(["$lt": .int64(10_000_000_000)]))
        #expect(filter.fieldNames == ["stock", "price", "name", "ratio", "gone"])
        #expect(filter["gone"] == .null)
    }

    @Test("a field name with a NUL character cannot be written")
    func nulInKeyIsRejected() {
        let document: BSONDocument = ["bad\0key": 1]
        #expect(throws: BSONError.self) { try document.bsonBytes() }
    }

    @Test("malformed bytes are rejected instead of read out of bounds")
    func malformedBytesAreRejected() throws {
        var bytes = try (["name": "value"] as BSONDocument).bsonBytes()
        bytes[0] = 200  // a length beyond the buffer
        #expect(throws: BSONError.self) { try BSONDocument(bsonBytes: bytes) }
        #expect(throws: BSONError.self) { try BSONDocument(bsonBytes: [5, 0, 0]) }
    }

    @Test("a dictionary of attributes and nested arrays round trip")
    func dictionariesAndNestedArrays() throws {
        struct Shape: Codable, Equatable { var grid: [[Int]]; var labels: [String: [String]]; var flags: [Bool?] }
        let shape = Shape(grid: [[1, 2], [3]], labels: ["a": ["x", "y"], "b": []], flags: [true, nil, false])
        let bytes = try BSONEncoder().encode(shape).bsonBytes()
        #expect(try BSONDecoder().decode(Shape.self, from: BSONDocument(bsonBytes: bytes)) == shape)
    }
}
