public import Logging

/// HTTP and logging settings every service reads the same way.
public struct HTTPSettings: Sendable {
    /// Interface to bind (`HOST`, default all interfaces, as containers need).
    public var host: String
    /// `PORT`, default the service's registered port.
    public var port: Int
    /// `MAX_BODY_BYTES`, default 1 MiB.
    public var maxBodyBytes: Int
    /// `CORS_ALLOWED_ORIGINS`, comma separated; `*` for any.
    public var corsAllowedOrigins: [String]
    /// `LOG_LEVEL`: trace, debug, info, notice, warning, error, critical.
    public var logLevel: Logger.Level
    /// `SHUTDOWN_GRACE_SECONDS`: how long in-flight requests may take to finish after SIGTERM.
    public var shutdownGracePeriod: Duration

    public static func from(_ settings: Settings, defaultPort: Int) throws -> HTTPSettings {
        HTTPSettings(
            host: settings.string("HOST", default: "0.0.0.0"),
            port: try settings.int("PORT", default: defaultPort, range: 0...65535),
            maxBodyBytes: try settings.int("MAX_BODY_BYTES", default: 1 << 20, range: 1...(64 << 20)),
            corsAllowedOrigins: settings.list("CORS_ALLOWED_ORIGINS"),
            logLevel: try settings.choice("LOG_LEVEL", default: .info),
            shutdownGracePeriod: try settings.seconds("SHUTDOWN_GRACE_SECONDS", default: .seconds(25))
        )
    }
}
