import CMongoc

/// An index to create at start-up.
///
/// ```swift
/// MongoIndex(["sku": 1], unique: true)
/// MongoIndex(["category": 1, "price": -1])                       // compound
/// MongoIndex(["expiresAt": 1], expireAfterSeconds: 0)             // TTL: removed when expiresAt passes
/// ```
public struct MongoIndex: Sendable, Hashable {
    /// The indexed fields in order, each `1` (ascending), `-1` (descending) or a special kind
    /// such as `"2dsphere"`.
    public var keys: BSONDocument
    /// The index name; by default MongoDB's convention, e.g. `category_1_price_-1`.
    public var name: String
    /// Whether two documents may not share the indexed values.
    public var unique: Bool
    /// Documents missing the indexed fields are left out of the index.
    public var sparse: Bool
    /// Seconds after the indexed date at which the document is deleted (a TTL index).
    public var expireAfterSeconds: Int?
    /// Only documents matching this filter are indexed (and checked for uniqueness).
    public var partialFilter: BSONDocument?

    /// An index on `keys`.
    public init(_ keys: BSONDocument, name: String? = nil, unique: Bool = false, sparse: Bool = false,
                expireAfterSeconds: Int? = nil, partialFilter: BSONDocument? = nil) {
        self.keys = keys
        self.name = name ?? keys.elements.map { key, value in
            let direction = switch value {
            case .string(let kind): kind
            default: value.int64Value.map(String.init) ?? value.description
            }
            return "\(key)_\(direction)"
        }.joined(separator: "_")
        self.unique = unique
        self.sparse = sparse
        self.expireAfterSeconds = expireAfterSeconds
        self.partialFilter = partialFilter
    }

    /// The index specification as `createIndexes` takes it.
    var specification: BSONDocument {
        var document: BSONDocument = ["key": .document(keys), "name": .string(name)]
        if unique { document["unique"] = true }
        if sparse { document["sparse"] = true }
        if let expireAfterSeconds { document["expireAfterSeconds"] = .int64(Int64(expireAfterSeconds)) }
        if let partialFilter { document["partialFilterExpression"] = .document(partialFilter) }
        return document
    }
}

extension MongoCollection {
    /// Creates `indexes` (and the collection, if it does not exist yet). Idempotent: indexes
    /// that exist with the same definition are left alone, so services call this at every
    /// start-up.
    /// - Throws: ``MongoError`` when an index of the same name exists with a different
    ///   definition (`IndexOptionsConflict`, `IndexKeySpecsConflict`: change the name, or drop the
    ///   old index in a migration), or ``MongoError/duplicateKey(_:)`` when existing documents
    ///   violate a new unique index.
    public func createIndexes(_ indexes: [MongoIndex]) async throws {
        guard !indexes.isEmpty else { return }
        let command: BSONDocument = [
            "createIndexes": .string(name),
            "indexes": .array(indexes.map { .document($0.specification) }),
        ]
        let commandBytes = try command.bsonBytes()
        let (databaseName, name) = (database.name, self.name)
        _ = try await client.execute("create_indexes", session: nil) { context in
            try context.withCollection(databaseName, name) { collection in
                try LibMongoc.withDocument(commandBytes) { command in
                    try LibMongoc.call { reply, error in
                        mongoc_collection_write_command_with_opts(collection, command, nil, reply, &error)
                    }
                }
            }
        }
    }

    /// The names of the collection's indexes (`_id_` included).
    public func indexNames() async throws -> [String] {
        let reply = try await database.runCommand(["listIndexes": .string(name)])
        let batch = reply["cursor"]?.documentValue?["firstBatch"]?.arrayValue ?? []
        return batch.compactMap { $0.documentValue?["name"]?.stringValue }
    }

    /// Drops the collection with its documents and indexes; dropping one that does not exist
    /// is not an error.
    public func drop() async throws {
        let (databaseName, name) = (database.name, self.name)
        _ = try await client.execute("drop_collection", session: nil) { context in
            try context.withCollection(databaseName, name) { collection in
                do {
                    try LibMongoc.call { error in mongoc_collection_drop_with_opts(collection, nil, &error) }
                } catch let error as MongoError where error.code == 26 {
                    // NamespaceNotFound: servers before 7.0 report dropping a missing collection.
                }
            }
        }
    }
}
