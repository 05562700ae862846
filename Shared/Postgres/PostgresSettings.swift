public import BazaarCore
public import PostgresNIO
import Foundation
import NIOSSL

extension PostgresClient.Configuration {
    /// The client configuration described by `DATABASE_URL` and the pool settings:
    /// `DATABASE_POOL_MAX` (default 10), `DATABASE_POOL_MIN` (default 0),
    /// `DATABASE_CONNECT_TIMEOUT_SECONDS` (default 5).
    ///
    /// The URL is `postgres://user:password@host:port/database?sslmode=...` where `sslmode` is
    /// `disable` (default), `prefer` or `require` (encrypted, certificate not checked, as libpq
    /// does), or `verify-full` (encrypted and the certificate checked).
    public static func from(_ settings: Settings, variable: String = "DATABASE_URL") throws -> PostgresClient.Configuration {
        guard let url = try settings.optionalURL(variable, schemes: ["postgres", "postgresql"]) else {
            throw ConfigurationError(variable: variable, problem: "is required but not set")
        }
        guard let components = URLComponents(url: url, resolvingAgainstBaseURL: false),
              let host = components.host, let username = components.user, !username.isEmpty
        else {
            throw ConfigurationError(variable: variable, problem: "must name a host and a user")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else {
            throw ConfigurationError(variable: variable, problem: "must name a database in its path")
        }
        let sslMode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "disable"
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "prefer", "require":
            var unverified = TLSConfiguration.makeClientConfiguration()
            unverified.certificateVerification = .none
            tls = sslMode == "prefer" ? .prefer(unverified) : .require(unverified)
        case "verify-full": tls = .require(.makeClientConfiguration())
        default:
            throw ConfigurationError(variable: variable, problem: "has unsupported sslmode \"\(sslMode)\" (use disable, prefer, require or verify-full)")
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: username,
            password: components.password, database: database, tls: tls
        )
        configuration.options.maximumConnections = try settings.int("DATABASE_POOL_MAX", default: 10, range: 1...500)
        configuration.options.minimumConnections = try settings.int("DATABASE_POOL_MIN", default: 0, range: 0...configuration.options.maximumConnections)
        configuration.options.connectTimeout = try settings.seconds("DATABASE_CONNECT_TIMEOUT_SECONDS", default: .seconds(5))
        return configuration
    }
}
