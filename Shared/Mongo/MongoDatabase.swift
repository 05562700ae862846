import CMongoc

/// A database on the client's deployment.
public struct MongoDatabase: Sendable {
    /// The client operations go through.
    public let client: MongoClient
    /// The database's name.
    public let name: String

    /// The collection `name`, holding `Document`s (encoded and decoded with ``BSONEncoder`` and
    /// ``BSONDecoder``).
    public func collection<Document: Codable & Sendable>(_ name: String, of type: Document.Type) -> MongoCollection<Document> {
        MongoCollection(database: self, name: name)
    }

    /// The collection `name` with documents read and written as ``BSONDocument``s.
    public func collection(_ name: String) -> MongoCollection<BSONDocument> {
        MongoCollection(database: self, name: name)
    }

    /// Runs a database command as given (e.g. `["collStats": "products"]`) and returns the
    /// server's reply. No read or write concern is added.
    /// - Throws: ``MongoError`` with the server's code and message when `ok` is not 1.
    public func runCommand(_ command: BSONDocument, session: MongoSession? = nil) async throws -> BSONDocument {
        let commandBytes = try command.bsonBytes()
        let name = self.name
        return try await client.execute("command", session: session) { context in
            try LibMongoc.withDocument(commandBytes) { command in
                try context.withOptions([:]) { options in
                    try LibMongoc.call { reply, error in
                        mongoc_client_command_with_opts(context.client, name, command, nil, options, reply, &error)
                    }
                }
            }
        }
    }

    /// Drops the database and everything in it.
    public func drop() async throws {
        let name = self.name
        _ = try await client.execute("drop_database", session: nil) { context in
            guard let database = mongoc_client_get_database(context.client, name) else {
                throw MongoError.bazaar("libmongoc could not open database \(name)")
            }
            defer { mongoc_database_destroy(database) }
            try LibMongoc.call { error in mongoc_database_drop_with_opts(database, nil, &error) }
        }
    }
}
