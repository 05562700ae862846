public import BazaarCore
import Foundation

/// Where the Redis server is and how the client's connection pool behaves.
///
/// Services read it from the environment with ``from(_:)``:
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `REDIS_URL` | required | `redis://[[user]:password@]host[:port][/database]` |
/// | `REDIS_POOL_SIZE` | `8` | connections (each served by its own thread) |
/// | `REDIS_CONNECT_TIMEOUT_MS` | `1000` | time to establish a connection |
/// | `REDIS_COMMAND_TIMEOUT_MS` | `1000` | time to wait for a reply before the connection is dropped |
///
/// `rediss://` (TLS) is refused at start-up: the hiredis this platform links (0.14) has no TLS.
public struct RedisConfiguration: Sendable, Equatable {
    /// Host name or IP address of the server.
    public var host: String
    /// TCP port (6379 by default).
    public var port: Int
    /// The ACL user for `AUTH user password`; nil authenticates as the default user.
    public var username: String?
    /// The password for `AUTH`; nil when the server needs none.
    public var password: String?
    /// The logical database selected on every connection (0 by default).
    public var database: Int
    /// How many connections the pool keeps at most; each is served by a dedicated thread.
    public var poolSize: Int
    /// How long establishing a connection may take.
    public var connectTimeout: Duration
    /// How long a reply may take; after it the connection is dropped and the command fails with
    /// a retriable ``RedisError/Kind/timeout`` error.
    public var commandTimeout: Duration

    /// A configuration with the given values; the defaults match the environment's defaults.
    public init(host: String, port: Int = 6379, username: String? = nil, password: String? = nil, database: Int = 0,
                poolSize: Int = 8, connectTimeout: Duration = .milliseconds(1000), commandTimeout: Duration = .milliseconds(1000)) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.poolSize = poolSize
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
    }

    /// Reads `REDIS_URL`, `REDIS_POOL_SIZE`, `REDIS_CONNECT_TIMEOUT_MS` and `REDIS_COMMAND_TIMEOUT_MS`.
    /// - Throws: ``ConfigurationError`` naming the variable that is missing or malformed.
    public static func from(_ settings: Settings) throws -> RedisConfiguration {
        var configuration = try RedisConfiguration(url: try settings.requiredString("REDIS_URL"))
        configuration.poolSize = try settings.int("REDIS_POOL_SIZE", default: 8, range: 1...256)
        configuration.connectTimeout = .milliseconds(try settings.int("REDIS_CONNECT_TIMEOUT_MS", default: 1000, range: 1...60_000))
        configuration.commandTimeout = .milliseconds(try settings.int("REDIS_COMMAND_TIMEOUT_MS", default: 1000, range: 1...60_000))
        return configuration
    }

    /// Parses a `redis://` URL; other settings keep their defaults.
    /// - Parameters:
    ///   - url: `redis://[[user]:password@]host[:port][/database]`.
    ///   - variable: The variable named in errors.
    /// - Throws: ``ConfigurationError`` for another scheme (with a specific message for
    ///   `rediss`), a missing host, a bad port or database, or query parameters.
    public init(url: String, variable: String = "REDIS_URL") throws {
        let shown = Self.redacted(url)
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw ConfigurationError(variable: variable, problem: "must be a URL like redis://host:6379/0, got \"\(shown)\"")
        }
        if scheme == "rediss" {
            throw ConfigurationError(variable: variable, problem: "uses rediss:// (TLS), which is not supported: the linked hiredis 0.14 "
                                         + "has no TLS. Use redis:// on a private network or a local TLS tunnel (stunnel, spiped)")
        }
        guard scheme == "redis" else {
            throw ConfigurationError(variable: variable, problem: "must use the redis:// scheme, got \"\(shown)\"")
        }
        guard let host = components.host, !host.isEmpty else {
            throw ConfigurationError(variable: variable, problem: "must name a host, got \"\(shown)\"")
        }
        if let port = components.port, !(1...65_535).contains(port) {
            throw ConfigurationError(variable: variable, problem: "has an invalid port \(port)")
        }
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let database: Int
        if path.isEmpty {
            database = 0
        } else if let number = Int(path), number >= 0 {
            database = number
        } else {
            throw ConfigurationError(variable: variable, problem: "must name a database number as its path (/0), got \"/\(path)\"")
        }
        if let query = components.query, !query.isEmpty {
            throw ConfigurationError(variable: variable, problem: "has query parameters (\(query.split(separator: "&").map { $0.split(separator: "=").first ?? "" }.joined(separator: ", "))), which are not supported")
        }
        let user = components.user.flatMap { $0.isEmpty ? nil : $0 }
        let password = components.password.flatMap { $0.isEmpty ? nil : $0 }
        // `redis://secret@host` is commonly meant as a password without a user.
        let (username, secret) = password == nil && user != nil ? (nil, user) : (user, password)
        self.init(host: host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host, port: components.port ?? 6379,
                  username: username, password: secret, database: database)
    }

    /// `url` with its password replaced, for error messages.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil || components.user != nil else { return url }
        if components.password != nil { components.password = "***" } else { components.user = "***" }
        return components.string ?? "***"
    }
}
