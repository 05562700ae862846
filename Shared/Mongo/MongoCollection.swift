import CMongoc

/// A collection whose documents are `Document` values, encoded with ``BSONEncoder`` and decoded
/// with ``BSONDecoder``.
///
/// Map the identifier to `_id` with coding keys:
///
/// ```swift
/// struct Product: Codable, Sendable {
///     var id: String
///     var sku: String
///     var price: Int64          // minor units
///     var compareAtPrice: Int64?  // absent field when nil
///     enum CodingKeys: String, CodingKey { case id = "_id", sku, price, compareAtPrice }
/// }
/// let products = mongo.collection("products", of: Product.self)
/// let page = try await products.find(["active": true], sort: ["price": 1], skip: 20, limit: 10)
/// ```
///
/// Every operation takes an optional ``MongoSession``: pass the one ``MongoClient/withTransaction(maxAttempts:_:)``
/// hands its body, and the operation belongs to that transaction.
public struct MongoCollection<Document: Codable & Sendable>: Sendable {
    /// The database holding the collection.
    public let database: MongoDatabase
    /// The collection's name.
    public let name: String

    var client: MongoClient { database.client }

    /// The documents matching `filter`, in `sort` order, after skipping `skip` and at most `limit`.
    /// - Parameters:
    ///   - filter: A query filter, e.g. `["category": "shoes", "price": ["$lt": 10_000]]`; `[:]` matches all.
    ///   - sort: Fields and directions, e.g. `["price": 1, "_id": 1]` (add a unique field for a
    ///     stable order across pages).
    public func find(
        _ filter: BSONDocument = [:], sort: BSONDocument? = nil, skip: Int? = nil, limit: Int? = nil,
        session: MongoSession? = nil
    ) async throws -> [Document] {
        try await find(filter, projection: nil, sort: sort, skip: skip, limit: limit, as: Document.self, session: session)
    }

    /// Like ``find(_:sort:skip:limit:session:)``, but with a `projection` (e.g. `["name": 1, "price": 1]`)
    /// and the documents decoded as `Result`, a type holding just the projected fields.
    public func find<Result: Decodable & Sendable>(
        _ filter: BSONDocument = [:], projection: BSONDocument?, sort: BSONDocument? = nil, skip: Int? = nil,
        limit: Int? = nil, as type: Result.Type, session: MongoSession? = nil
    ) async throws -> [Result] {
        var options = BSONDocument()
        if let projection { options["projection"] = .document(projection) }
        if let sort { options["sort"] = .document(sort) }
        if let skip { options["skip"] = .int64(Int64(skip)) }
        if let limit { options["limit"] = .int64(Int64(limit)) }
        let documents = try await findDocuments(filter, options: options, session: session)
        return try Self.decode(documents, as: type)
    }

    /// The first document matching `filter` (in `sort` order if given), or nil.
    public func findOne(_ filter: BSONDocument, sort: BSONDocument? = nil, session: MongoSession? = nil) async throws -> Document? {
        var options: BSONDocument = ["limit": 1, "singleBatch": true]
        if let sort { options["sort"] = .document(sort) }
        let documents = try await findDocuments(filter, options: options, session: session)
        return try documents.first.map { try BSONDecoder().decode(Document.self, from: $0) }
    }

    /// The number of documents matching `filter` (an exact count, through an aggregation).
    public func count(_ filter: BSONDocument = [:], session: MongoSession? = nil) async throws -> Int {
        let filterBytes = try filter.bsonBytes()
        let (databaseName, name) = (database.name, self.name)
        return try await client.execute("count", session: session) { context in
            try context.withCollection(databaseName, name) { collection in
                try LibMongoc.withDocument(filterBytes) { filter in
                    try context.withOptions([:]) { options in
                        var count: Int64 = -1
                        _ = try LibMongoc.call { reply, error in
                            count = mongoc_collection_count_documents(collection, filter, options, nil, reply, &error)
                            return count >= 0
                        }
                        return Int(count)
                    }
                }
            }
        }
    }

    /// Runs an aggregation `pipeline` (e.g. `[["$match": ...], ["$group": ...]]`) and returns
    /// its output documents as they are.
    public func aggregate(_ pipeline: [BSONDocument], session: MongoSession? = nil) async throws -> [BSONDocument] {
        let pipelineBytes = try (["pipeline": .array(pipeline.map(BSONValue.document))] as BSONDocument).bsonBytes()
        let (databaseName, name) = (database.name, self.name)
        return try await client.execute("aggregate", session: session) { context in
            try context.withCollection(databaseName, name) { collection in
                try LibMongoc.withDocument(pipelineBytes) { pipeline in
                    try context.withOptions([:]) { options in
                        try Cursor.drain(mongoc_collection_aggregate(collection, MONGOC_QUERY_NONE, pipeline, options, nil))
                    }
                }
            }
        }
    }

    /// Runs an aggregation `pipeline` and decodes its output documents as `Result`.
    public func aggregate<Result: Decodable & Sendable>(
        _ pipeline: [BSONDocument], as type: Result.Type, session: MongoSession? = nil
    ) async throws -> [Result] {
        try Self.decode(try await aggregate(pipeline, session: session), as: type)
    }

    private func findDocuments(_ filter: BSONDocument, options: BSONDocument, session: MongoSession?) async throws -> [BSONDocument] {
        let filterBytes = try filter.bsonBytes()
        let (databaseName, name) = (database.name, self.name)
        return try await client.execute("find", session: session) { context in
            try context.withCollection(databaseName, name) { collection in
                try LibMongoc.withDocument(filterBytes) { filter in
                    try context.withOptions(options) { options in
                        try Cursor.drain(mongoc_collection_find_with_opts(collection, filter, options, nil))
                    }
                }
            }
        }
    }

    static func decode<Result: Decodable>(_ documents: [BSONDocument], as type: Result.Type) throws -> [Result] {
        let decoder = BSONDecoder()
        return try documents.map { try decoder.decode(type, from: $0) }
    }
}

/// Reading libmongoc cursors.
enum Cursor {
    /// Reads every document of `cursor` (fetching further batches as needed), then destroys it.
    /// - Throws: the cursor's error, with the server's reply.
    static func drain(_ cursor: OpaquePointer?) throws -> [BSONDocument] {
        guard let cursor else { throw MongoError.bazaar("libmongoc returned no cursor") }
        defer { mongoc_cursor_destroy(cursor) }
        var documents: [BSONDocument] = []
        var current: OpaquePointer?
        while mongoc_cursor_next(cursor, &current) {
            if let current { documents.append(try LibMongoc.read(current)) }
        }
        var error = bson_error_t()
        var reply: OpaquePointer?
        if mongoc_cursor_error_document(cursor, &error, &reply) {
            throw MongoError(error, reply: reply.flatMap { try? LibMongoc.read($0) })
        }
        return documents
    }
}
