import CMongoc
import Foundation

/// The one `mongoc_client_pool_t` of a ``MongoClient``.
///
/// The pool monitors the deployment on a background thread of libmongoc's own and hands out
/// `mongoc_client_t`s, each usable by one thread at a time. It is destroyed when the last
/// reference goes away: the owning client, and every job or session that holds one of its
/// clients (so it is never destroyed with a client still out, as libmongoc requires).
///
/// `@unchecked Sendable`: the pool is thread-safe; the pointer never changes and never leaves
/// the module.
final class ClientPool: @unchecked Sendable {
    private let pointer: OpaquePointer

    init(configuration: MongoConfiguration) throws {
        LibMongoc.initialize()
        var error = bson_error_t()
        guard let uri = mongoc_uri_new_with_error(configuration.url, &error) else {
            throw MongoError(error, reply: nil)
        }
        defer { mongoc_uri_destroy(uri) }
        guard let pool = mongoc_client_pool_new_with_error(uri, &error) else {
            throw MongoError(error, reply: nil)
        }
        // Version 2 reports server errors in the `server` domain with the server's own code
        // (11000 for a duplicate key) instead of libmongoc's legacy mapping.
        mongoc_client_pool_set_error_api(pool, MONGOC_ERROR_API_VERSION_2)
        mongoc_client_pool_max_size(pool, UInt32(configuration.poolSize))
        if let name = configuration.applicationName {
            _ = mongoc_client_pool_set_appname(pool, name)
        }
        self.pointer = pool
    }

    deinit {
        // Destroying the pool stops and joins libmongoc's monitoring threads, which takes up to
        // `minHeartbeatFrequencyMS` (500 ms). The last reference may go away on a thread of
        // Swift's cooperative pool, which must not block that long: destroy on a thread of its own.
        let pool = UncheckedPointer(pointer)
        let thread = Thread { mongoc_client_pool_destroy(pool.pointer) }
        thread.name = "mongodb-pool-destroy"
        thread.start()
    }

    /// Takes a client; blocks while all are out, which callers holding a
    /// ``AsyncPermits`` permit never experience.
    func pop() -> OpaquePointer {
        mongoc_client_pool_pop(pointer)
    }

    /// Returns a client taken with ``pop()``.
    func push(_ client: OpaquePointer) {
        mongoc_client_pool_push(pointer, client)
    }

    /// Runs `body` with a client from the pool, returned afterwards.
    func withClient<Result>(_ body: (OpaquePointer) throws -> Result) rethrows -> Result {
        let client = pop()
        defer { push(client) }
        return try body(client)
    }
}

/// What an operation's blocking body works with: the client it runs on and, inside a
/// transaction, the session. Created on the worker thread; never escapes it.
struct OperationContext {
    /// The `mongoc_client_t`.
    let client: OpaquePointer
    /// The `mongoc_client_session_t`, when the operation belongs to a ``MongoSession``.
    let session: OpaquePointer?

    /// Runs `body` with the `mongoc_collection_t` of `database.collection`.
    func withCollection<Result>(_ database: String, _ collection: String, _ body: (OpaquePointer) throws -> Result) throws -> Result {
        guard let handle = mongoc_client_get_collection(client, database, collection) else {
            throw MongoError.bazaar("libmongoc could not open collection \(database).\(collection)")
        }
        defer { mongoc_collection_destroy(handle) }
        return try body(handle)
    }

    /// Runs `body` with an options document holding `options` and, in a session, the session id.
    func withOptions<Result>(_ options: BSONDocument, _ body: (OpaquePointer) throws -> Result) throws -> Result {
        try LibMongoc.withMutableDocument(try options.bsonBytes()) { document in
            if let session {
                try LibMongoc.call { error in mongoc_client_session_append(session, document, &error) }
            }
            return try body(document)
        }
    }
}
