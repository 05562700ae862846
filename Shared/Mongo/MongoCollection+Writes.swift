import CMongoc

/// What an update or replace did.
public struct MongoUpdateResult: Sendable, Hashable {
    /// Documents that matched the filter.
    public let matchedCount: Int
    /// Documents actually changed (a `$set` to the same value changes nothing).
    public let modifiedCount: Int
    /// The `_id` of the document an upsert inserted, if it did.
    public let upsertedID: BSONValue?

    init(reply: BSONDocument) {
        matchedCount = Int(reply["matchedCount"]?.int64Value ?? 0)
        modifiedCount = Int(reply["modifiedCount"]?.int64Value ?? 0)
        upsertedID = reply["upsertedId"]
    }
}

/// Which version of the document `findOneAndUpdate` returns.
public enum MongoReturnDocument: Sendable {
    /// The document as it was before the update.
    case before
    /// The document after the update (or the upserted one).
    case after
}

extension MongoCollection {
    /// Inserts `document`.
    /// - Throws: ``MongoError/duplicateKey(_:)`` when its `_id` or a unique index value exists.
    public func insertOne(_ document: Document, session: MongoSession? = nil) async throws {
        let bytes = try BSONEncoder().encode(document).bsonBytes()
        _ = try await write("insert_one", session: session) { collection, options, reply, error in
            try LibMongoc.withDocument(bytes) { document in
                mongoc_collection_insert_one(collection, document, options, reply, &error)
            }
        }
    }

    /// Inserts `documents` in one batch and returns how many were inserted. With `ordered`
    /// (the default) the first failure stops the rest; otherwise every document is tried.
    /// - Throws: ``MongoError/duplicateKey(_:)`` for the first duplicate.
    @discardableResult
    public func insertMany(_ documents: [Document], ordered: Bool = true, session: MongoSession? = nil) async throws -> Int {
        guard !documents.isEmpty else { return 0 }
        let encoder = BSONEncoder()
        let encoded = try documents.map { try encoder.encode($0).bsonBytes() }
        let reply = try await write("insert_many", options: ["ordered": .bool(ordered)], session: session) { collection, options, reply, error in
            try LibMongoc.withDocuments(encoded) { documents, count in
                mongoc_collection_insert_many(collection, documents, count, options, reply, &error)
            }
        }
        return Int(reply["insertedCount"]?.int64Value ?? Int64(documents.count))
    }

    /// Applies `update` (operators such as `["$set": [...], "$inc": [...]]`) to the first
    /// document matching `filter`; with `upsert`, inserts one when none matches.
    @discardableResult
    public func updateOne(_ filter: BSONDocument, update: BSONDocument, upsert: Bool = false,
                          session: MongoSession? = nil) async throws -> MongoUpdateResult {
        try await performUpdate("update_one", filter, update: try update.bsonBytes(), upsert: upsert, session: session, mongoc_collection_update_one)
    }

    /// Applies `update` to every document matching `filter`.
    @discardableResult
    public func updateMany(_ filter: BSONDocument, update: BSONDocument, upsert: Bool = false,
                           session: MongoSession? = nil) async throws -> MongoUpdateResult {
        try await performUpdate("update_many", filter, update: try update.bsonBytes(), upsert: upsert, session: session, mongoc_collection_update_many)
    }

    /// Replaces the first document matching `filter` with `replacement` (its `_id` must be the
    /// same or absent).
    @discardableResult
    public func replaceOne(_ filter: BSONDocument, with replacement: Document, upsert: Bool = false,
                           session: MongoSession? = nil) async throws -> MongoUpdateResult {
        let bytes = try BSONEncoder().encode(replacement).bsonBytes()
        return try await performUpdate("replace_one", filter, update: bytes, upsert: upsert, session: session, mongoc_collection_replace_one)
    }

    /// Deletes the first document matching `filter`; returns 1 or 0.
    @discardableResult
    public func deleteOne(_ filter: BSONDocument, session: MongoSession? = nil) async throws -> Int {
        try await performDelete("delete_one", filter, session: session, mongoc_collection_delete_one)
    }

    /// Deletes every document matching `filter`; returns how many.
    @discardableResult
    public func deleteMany(_ filter: BSONDocument, session: MongoSession? = nil) async throws -> Int {
        try await performDelete("delete_many", filter, session: session, mongoc_collection_delete_many)
    }

    /// Atomically applies `update` to the first document matching `filter` (in `sort` order) and
    /// returns it, after the update by default; nil when nothing matched (and no upsert).
    ///
    /// A condition in the filter makes this a safe compare-and-set: `["_id": id, "stock": ["$gte": 1]]`
    /// with `["$inc": ["stock": -1]]` never takes stock below zero, however many requests race.
    public func findOneAndUpdate(
        _ filter: BSONDocument, update: BSONDocument, sort: BSONDocument? = nil, upsert: Bool = false,
        returning: MongoReturnDocument = .after, session: MongoSession? = nil
    ) async throws -> Document? {
        let (filterBytes, updateBytes) = (try filter.bsonBytes(), try update.bsonBytes())
        let sortBytes = try sort?.bsonBytes()
        let (databaseName, name) = (database.name, self.name)
        let reply = try await client.execute("find_one_and_update", session: session) { context in
            try context.withCollection(databaseName, name) { collection in
                guard let options = mongoc_find_and_modify_opts_new() else { throw MongoError.bazaar("libmongoc could not allocate options") }
                defer { mongoc_find_and_modify_opts_destroy(options) }
                var flags = MONGOC_FIND_AND_MODIFY_NONE.rawValue
                if upsert { flags |= MONGOC_FIND_AND_MODIFY_UPSERT.rawValue }
                if returning == .after { flags |= MONGOC_FIND_AND_MODIFY_RETURN_NEW.rawValue }
                mongoc_find_and_modify_opts_set_flags(options, mongoc_find_and_modify_flags_t(rawValue: flags))
                return try LibMongoc.withDocument(updateBytes) { update in
                    _ = mongoc_find_and_modify_opts_set_update(options, update)
                    if let sortBytes {
                        try LibMongoc.withDocument(sortBytes) { sort in _ = mongoc_find_and_modify_opts_set_sort(options, sort) }
                    }
                    try context.withOptions([:]) { extra in
                        _ = mongoc_find_and_modify_opts_append(options, extra)
                    }
                    return try LibMongoc.withDocument(filterBytes) { filter in
                        try LibMongoc.call { reply, error in
                            mongoc_collection_find_and_modify_with_opts(collection, filter, options, reply, &error)
                        }
                    }
                }
            }
        }
        guard case .document(let document)? = reply["value"] else { return nil }
        return try BSONDecoder().decode(Document.self, from: document)
    }

    // MARK: Shared plumbing

    /// Runs a write that fills `reply` and `error`, with `options` (and the session) prepared.
    private func write(
        _ operation: String, options: BSONDocument = [:], session: MongoSession?,
        _ body: @escaping @Sendable (OpaquePointer, OpaquePointer, OpaquePointer, inout bson_error_t) throws -> Bool
    ) async throws -> BSONDocument {
        let (databaseName, name) = (database.name, self.name)
        return try await client.execute(operation, session: session) { context in
            try context.withCollection(databaseName, name) { collection in
                try context.withOptions(options) { options in
                    var thrown: (any Error)?
                    let reply = try LibMongoc.call { reply, error in
                        do {
                            return try body(collection, options, reply, &error)
                        } catch let caught {
                            thrown = caught
                            return true
                        }
                    }
                    if let thrown { throw thrown }
                    return reply
                }
            }
        }
    }

    private func performUpdate(
        _ operation: String, _ filter: BSONDocument, update: [UInt8], upsert: Bool, session: MongoSession?,
        _ function: @escaping @Sendable (OpaquePointer?, OpaquePointer?, OpaquePointer?, OpaquePointer?, OpaquePointer?, UnsafeMutablePointer<bson_error_t>?) -> Bool
    ) async throws -> MongoUpdateResult {
        let filterBytes = try filter.bsonBytes()
        let reply = try await write(operation, options: ["upsert": .bool(upsert)], session: session) { collection, options, reply, error in
            try LibMongoc.withDocument(filterBytes) { filter in
                try LibMongoc.withDocument(update) { update in
                    function(collection, filter, update, options, reply, &error)
                }
            }
        }
        return MongoUpdateResult(reply: reply)
    }

    private func performDelete(
        _ operation: String, _ filter: BSONDocument, session: MongoSession?,
        _ function: @escaping @Sendable (OpaquePointer?, OpaquePointer?, OpaquePointer?, OpaquePointer?, UnsafeMutablePointer<bson_error_t>?) -> Bool
    ) async throws -> Int {
        let filterBytes = try filter.bsonBytes()
        let reply = try await write(operation, session: session) { collection, options, reply, error in
            try LibMongoc.withDocument(filterBytes) { filter in function(collection, filter, options, reply, &error) }
        }
        return Int(reply["deletedCount"]?.int64Value ?? 0)
    }
}
