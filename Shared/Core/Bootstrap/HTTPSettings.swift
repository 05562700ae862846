public import Logging
import Foundation

/// HTTP and logging settings every service reads the same way.
public struct HTTPSettings: Sendable {
    /// Interface to bind (`HOST`, default all interfaces, as containers need).
    public var host: String
    /// `PORT`, default the service's registered port.
    public var port: Int
    /// `MAX_BODY_BYTES`, default 1 MiB.
    public var maxBodyBytes: Int
    /// `CORS_ALLOWED_ORIGINS`: the browser origins (`scheme://host[:port]`, comma separated) whose
    /// pages may call the API with credentials. `*` is refused: with credentials it would let any
    /// web page act as the signed-in shopper.
    public var corsAllowedOrigins: [String]
    /// `LOG_LEVEL`: trace, debug, info, notice, warning, error, critical.
    public var logLevel: Logger.Level
    /// `SHUTDOWN_GRACE_SECONDS`: how long in-flight requests may take to finish after SIGTERM.
    public var shutdownGracePeriod: Duration
    /// `ACCESS_LOG`: `errors` (default: 4xx, 5xx and slow requests), `all` or `off`; see ``AccessLogMode``.
    public var accessLog: AccessLogMode
    /// `ACCESS_LOG_SLOW_MS` (default 1000): a request at least this slow is logged under `errors`.
    public var accessLogSlow: Duration
    /// `TRUSTED_PROXIES`: addresses and networks whose `X-Forwarded-For` entries are believed
    /// (default loopback, the local gateway); see ``TrustedProxies``.
    public var trustedProxies: TrustedProxies

    public static func from(_ settings: Settings, defaultPort: Int) throws -> HTTPSettings {
        HTTPSettings(
            host: settings.string("HOST", default: "0.0.0.0"),
            port: try settings.int("PORT", default: defaultPort, range: 0...65535),
            maxBodyBytes: try settings.int("MAX_BODY_BYTES", default: 1 << 20, range: 1...(64 << 20)),
            corsAllowedOrigins: try corsOrigins(settings),
            logLevel: try settings.choice("LOG_LEVEL", default: .info),
            shutdownGracePeriod: try settings.seconds("SHUTDOWN_GRACE_SECONDS", default: .seconds(25)),
            accessLog: try settings.choice("ACCESS_LOG", default: .errors),
            accessLogSlow: .milliseconds(try settings.int("ACCESS_LOG_SLOW_MS", default: 1000, range: 1...600_000)),
            trustedProxies: try trustedProxies(settings)
        )
    }

    static func corsOrigins(_ settings: Settings) throws -> [String] {
        let origins = settings.list("CORS_ALLOWED_ORIGINS")
        for origin in origins {
            if origin == "*" {
                throw ConfigurationError(variable: "CORS_ALLOWED_ORIGINS", problem: """
                    is "*", but Bazaar's CORS answers allow credentials, so any web page could call the API as the signed-in user; \
                    list the storefront's origins instead (e.g. https://shop.example.com)
                    """)
            }
            guard let url = URL(string: origin), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil,
                  url.path.isEmpty, url.query == nil, url.fragment == nil, url.user == nil
            else {
                throw ConfigurationError(variable: "CORS_ALLOWED_ORIGINS", problem: """
                    has "\(origin)", which is not an origin: write scheme, host and port only (e.g. https://shop.example.com)
                    """)
            }
        }
        return origins
    }

    static func trustedProxies(_ settings: Settings) throws -> TrustedProxies {
        // Unset: the local gateway on loopback. `none`: believe no header (a service exposed directly).
        guard let raw = settings.optionalString("TRUSTED_PROXIES") else { return .loopback }
        if raw.lowercased() == "none" { return .none }
        let entries = settings.list("TRUSTED_PROXIES")
        do {
            return try TrustedProxies(entries)
        } catch let error as TrustedProxies.InvalidEntry {
            throw ConfigurationError(variable: "TRUSTED_PROXIES", problem: error.description)
        }
    }
}
