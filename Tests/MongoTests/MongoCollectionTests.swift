import BazaarMongo
import Foundation
import Testing

@Suite("MongoDB collections")
struct MongoCollectionTests {
    @Test("a product is stored with BSON types and read back unchanged, with and without optionals")
    func productRoundTripThroughServer() async throws {
        try await MongoTestEnvironment.withDatabase { database in
            let products = database.collection("products", of: Product.self)
            var full = Product.sample(1, price: 4999)
            full.compareAtPrice = .init(minorUnits: 5999, currency: "EUR")
            full.updatedAt = Date(timeIntervalSince1970: 1_700_000_100.25)
            full.attributes = ["material": "cotton", "fit": "slim", "colour": "navy"]
            full.isActive = false
            let bare = Product.sample(2)
            try await products.insertOne(full)
            try await products.insertOne(bare)

            #expect(try await products.findOne(["_id": "product-1"]) == full)
            #expect(try await products.findOne(["_id": "product-2"]) == bare)
            #expect(try await products.findOne(["_id": "missing"]) == nil)

            let raw = try #require(try await database.collection("products").findOne(["_id": "product-2"]))
            #expect(raw["compareAtPrice"] == nil)
            #expect(raw["price"]?.documentValue?["minorUnits"] == .int64(1999))
            #expect(raw["createdAt"] == .datetime(Date(timeIntervalSince1970: 1_700_000_000.123)))
            #expect(raw["stock"] == .int64(10))
        }
    }

    @Test("documents keyed by ObjectId are found by it")
    func objectIdKeys() async throws {
        struct Note: Codable, Sendable, Equatable {
            var id: ObjectId
            var text: String
            enum CodingKeys: String, CodingKey { case id = "_id", text }
        }
        try await MongoTestEnvironment.withDatabase { database in
            let notes = database.collection("notes", of: Note.self)
            let notesToInsert = (0..<3).map { Note(id: ObjectId(), text: "note \($0)") }
            let inserted = try await notes.insertMany(notesToInsert)
            #expect(inserted == 3)
            #expect(try await notes.findOne(["_id": .objectId(notesToInsert[1].id)]) == notesToInsert[1])
        }
    }

    @Test("pages are sorted by price, skip and limit select the slice, count counts the filter")
    func pagingAndSorting() async throws {
        try await MongoTestEnvironment.withDatabase { database in
            let products = database.collection("products", of: Product.self)
            let prices = (0..<25).map { Int64(1000 + $0 * 100) }
            var catalogue = prices.enumerated().map { Product.sample($0.offset, price: $0.element) }
            for index in catalogue.indices where index % 5 == 0 { catalogue[index].isActive = false }
            try await products.insertMany(catalogue.shuffled())

            let page = try await products.find([:], sort: ["price": 1, "_id": 1], skip: 10, limit: 5)
            #expect(page.map(\.price.minorUnits) == Array(prices[10..<15]))

            let expensiveFirst = try await products.find(["isActive": true], sort: ["price": -1], limit: 3)
            #expect(expensiveFirst.map(\.price.minorUnits) == [3400, 3300, 3200])

            #expect(try await products.count() == 25)
            #expect(try await products.count(["isActive": true]) == 20)
            #expect(try await products.count(["price.minorUnits": ["$gte": 3000]]) == 5)

            struct Summary: Decodable, Sendable, Equatable { var sku: String; var price: Product.Money }
            let summaries = try await products.find(["price.minorUnits": ["$lt": 1200]], projection: ["sku": 1, "price": 1, "_id": 0],
                                                    sort: ["price.minorUnits": 1], as: Summary.self)
            #expect(summaries == [Summary(sku: "SKU-0", price: .init(minorUnits: 1000, currency: "EUR")),
                                  Summary(sku: "SKU-1", price: .init(minorUnits: 1100, currency: "EUR"))])
        }
    }

    @Test("updates, replacements and deletes report what they changed")
    func updatesReplacementsAndDeletes() async throws {
        try await MongoTestEnvironment.withDatabase { database in
            let products = database.collection("products", of: Product.self)
            try await products.insertMany((0..<4).map { Product.sample($0) })

            let set = try await products.updateOne(["_id": "product-0"], update: ["$set": ["name": "Renamed"], "$inc": ["stock": 5]])
            #expect(set.matchedCount == 1 && set.modifiedCount == 1)
            let renamed = try #require(try await products.findOne(["_id": "product-0"]))
            #expect(renamed.name == "Renamed" && renamed.stock == 15)

            let many = try await products.updateMany(["isActive": true], update: ["$set": ["tags": ["sale"]]])
            #expect(many.matchedCount == 4)

            let upserted = try await products.updateOne(["_id": "product-9"], update: ["$setOnInsert": .document(try fieldsOnInsert(Product.sample(9)))], upsert: true)
            #expect(upserted.upsertedID == "product-9")

            var replacement = Product.sample(1)
            replacement.name = "Replaced"
            let replaced = try await products.replaceOne(["_id": "product-1"], with: replacement)
            #expect(replaced.modifiedCount == 1)
            #expect(try await products.findOne(["_id": "product-1"])?.name == "Replaced")

            #expect(try await products.deleteOne(["_id": "product-2"]) == 1)
            #expect(try await products.deleteOne(["_id": "product-2"]) == 0)
            // product-0 and product-3 still carry the tag; product-1 was replaced, product-9 upserted.
            #expect(try await products.deleteMany(["tags": "sale"]) == 2)
            #expect(try await products.count() == 2)
        }
    }

    @Test("an update document without operators is refused instead of replacing the document")
    func updateWithoutOperatorsIsRefused() async throws {
        try await MongoTestEnvironment.withDatabase { database in
            let products = database.collection("products", of: Product.self)
            try await products.insertOne(Product.sample(1))
            await #expect(throws: MongoError.self) {
                try await products.updateOne(["_id": "product-1"], update: ["name": "oops"])
            }
            #expect(try await products.findOne(["_id": "product-1"]) == Product.sample(1))
        }
    }

    @Test("a conditional decrement by 50 concurrent tasks sells exactly the 20 in stock")
    func concurrentConditionalDecrement() async throws {
        try await MongoTestEnvironment.withDatabase(poolSize: 8) { database in
            let products = database.collection("products", of: Product.self)
            try await products.insertOne(Product.sample(1, stock: 20))
            let remaining = try await withThrowingTaskGroup(of: Int?.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        try await products.findOneAndUpdate(["_id": "product-1", "stock": ["$gte": 1]], update: ["$inc": ["stock": -1]])?.stock
                    }
                }
                var remaining: [Int] = []
                for try await stock in group { if let stock { remaining.append(stock) } }
                return remaining
            }
            #expect(remaining.count == 20)
            #expect(remaining.sorted() == Array(0..<20))
            #expect(try await products.findOne(["_id": "product-1"])?.stock == 0)
        }
    }

    @Test("findOneAndUpdate returns the document before or after, and upserts")
    func findOneAndUpdateVariants() async throws {
        try await MongoTestEnvironment.withDatabase { database in
            let products = database.collection("products", of: Product.self)
            try await products.insertOne(Product.sample(1, stock: 3))
            let before = try await products.findOneAndUpdate(["_id": "product-1"], update: ["$inc": ["stock": 1]], returning: .before)
            #expect(before?.stock == 3)
            #expect(try await products.findOneAndUpdate(["_id": "nothing"], update: ["$inc": ["stock": 1]]) == nil)
            let created = try await products.findOneAndUpdate(
                ["_id": "product-7"], update: ["$setOnInsert": .document(try fieldsOnInsert(Product.sample(7)))],
                upsert: true)
            #expect(created == Product.sample(7))
        }
    }

    @Test("an aggregation groups documents, raw or decoded")
    func aggregation() async throws {
        try await MongoTestEnvironment.withDatabase { database in
            let products = database.collection("products", of: Product.self)
            var items = (0..<6).map { Product.sample($0, price: 1000) }
            for index in 0..<2 { items[index].price.currency = "USD" }
            try await products.insertMany(items)
            let pipeline: [BSONDocument] = [
                ["$group": ["_id": "$price.currency", "total": ["$sum": "$price.minorUnits"], "count": ["$sum": 1]]],
                ["$sort": ["_id": 1]],
            ]
            let raw = try await products.aggregate(pipeline)
            #expect(raw.map { $0["_id"] } == ["EUR", "USD"])
            #expect(raw.first?["total"]?.int64Value == 4000)

            struct Total: Decodable, Sendable, Equatable { var _id: String; var total: Int64; var count: Int }
            #expect(try await products.aggregate(pipeline, as: Total.self) == [Total(_id: "EUR", total: 4000, count: 4), Total(_id: "USD", total: 2000, count: 2)])
        }
    }

    /// The product's fields except `_id` (which the upsert's filter supplies), for `$setOnInsert`.
    private func fieldsOnInsert(_ product: Product) throws -> BSONDocument {
        var fields = try BSONDocument(encoding: product)
        fields["_id"] = nil
        return fields
    }
}
