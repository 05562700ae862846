public import BazaarCore
import CMongoc
import Foundation

/// How a service reaches its MongoDB database.
///
/// From the environment (``from(_:applicationName:)``):
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `MONGODB_URL` | required | a MongoDB connection string naming the database, e.g. `mongodb://host:27017/catalog?retryWrites=true`; every libmongoc URI option applies (`serverSelectionTimeoutMS`, `replicaSet`, `tls`, credentials, ...) |
/// | `MONGODB_POOL_SIZE` | `8` | connections in the pool, and threads running driver calls (1...256) |
///
/// The connection string is checked by libmongoc itself at start-up, so a malformed one stops
/// the service with libmongoc's explanation and the variable's name.
public struct MongoConfiguration: Sendable, CustomStringConvertible {
    /// The connection string as given.
    public let url: String
    /// The database the service works in: the connection string's path unless given explicitly.
    public let databaseName: String
    /// Connections in the pool, and threads running driver calls.
    public let poolSize: Int
    /// The name the server sees in its logs and `currentOp` (the service's name).
    public let applicationName: String?

    /// A configuration, validated with libmongoc's URI parser.
    /// - Parameters:
    ///   - url: A `mongodb://` or `mongodb+srv://` connection string.
    ///   - database: The database to use; by default the one the connection string names.
    ///   - poolSize: Connections in the pool (1...256).
    ///   - applicationName: Sent to the server in the handshake.
    ///   - variable: The setting `url` came from, named by configuration errors.
    /// - Throws: ``ConfigurationError`` naming `variable` when the string is malformed or no
    ///   database is named, or naming `MONGODB_POOL_SIZE` for a pool size out of range.
    public init(url: String, database: String? = nil, poolSize: Int = 8, applicationName: String? = nil,
                variable: String = "MONGODB_URL") throws {
        LibMongoc.initialize()
        var error = bson_error_t()
        guard let uri = mongoc_uri_new_with_error(url, &error) else {
            let reason = MongoError(error, reply: nil).message
            throw ConfigurationError(variable: variable, problem: "is not a valid MongoDB connection string (\(reason)): \"\(Self.redacted(url))\"")
        }
        defer { mongoc_uri_destroy(uri) }
        let named = mongoc_uri_get_database(uri).map { String(cString: $0) }
        guard let databaseName = database ?? named, !databaseName.isEmpty else {
            throw ConfigurationError(variable: variable, problem: "must name a database in its path, e.g. mongodb://host:27017/catalog")
        }
        guard (1...256).contains(poolSize) else {
            throw ConfigurationError(variable: "MONGODB_POOL_SIZE", problem: "must be between 1 and 256, got \(poolSize)")
        }
        self.url = url
        self.databaseName = databaseName
        self.poolSize = poolSize
        self.applicationName = applicationName
    }

    /// Reads `MONGODB_URL` (required) and `MONGODB_POOL_SIZE` (default 8).
    /// - Throws: ``ConfigurationError`` naming the variable at fault.
    public static func from(_ settings: Settings, applicationName: String? = nil) throws -> MongoConfiguration {
        let url = try settings.requiredString("MONGODB_URL")
        let poolSize = try settings.int("MONGODB_POOL_SIZE", default: 8, range: 1...256)
        return try MongoConfiguration(url: url, poolSize: poolSize, applicationName: applicationName)
    }

    /// The connection string with any password hidden, and the pool size.
    public var description: String {
        "MongoDB \(Self.redacted(url)) database \(databaseName), pool \(poolSize)"
    }

    /// Hides the password of `user:password@` so logs and errors never print it.
    static func redacted(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://"), let at = url[schemeEnd.upperBound...].firstIndex(of: "@") else { return url }
        let credentials = url[schemeEnd.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return url[..<colon] + ":***" + url[at...]
    }
}
