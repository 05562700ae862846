public import BazaarCore

/// How to reach the mail server: `SMTP_HOST`, `SMTP_PORT`, `SMTP_USER`, `SMTP_PASSWORD`,
/// `SMTP_FROM_EMAIL`, `SMTP_FROM_NAME`, `SMTP_TLS`, `SMTP_TIMEOUT_SECONDS`.
public struct SMTPSettings: Sendable, Equatable {
    /// Transport security.
    public enum Security: String, Sendable, CaseIterable {
        /// Plain SMTP (local sinks only).
        case none
        /// Upgrade with STARTTLS, refusing to continue without it (port 587).
        case starttls
        /// TLS from the first byte (SMTPS, port 465).
        case tls
    }

    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    public var from: MailMessage.Address
    public var security: Security
    public var timeout: Duration

    public init(host: String, port: Int, username: String? = nil, password: String? = nil, from: MailMessage.Address,
                security: Security, timeout: Duration = .seconds(30)) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.from = from
        self.security = security
        self.timeout = timeout
    }

    public static func from(_ settings: Settings) throws -> SMTPSettings {
        let security = try settings.choice("SMTP_TLS", default: Security.starttls)
        let defaultPort = security == .tls ? 465 : security == .starttls ? 587 : 25
        let username = settings.optionalString("SMTP_USER")
        let password = settings.optionalString("SMTP_PASSWORD")
        if username != nil && password == nil {
            throw ConfigurationError(variable: "SMTP_PASSWORD", problem: "is required when SMTP_USER is set")
        }
        return SMTPSettings(
            host: try settings.requiredString("SMTP_HOST"),
            port: try settings.int("SMTP_PORT", default: defaultPort, range: 1...65_535),
            username: username, password: password,
            from: MailMessage.Address(try settings.requiredString("SMTP_FROM_EMAIL"), name: settings.string("SMTP_FROM_NAME", default: "Bazaar")),
            security: security,
            timeout: try settings.seconds("SMTP_TIMEOUT_SECONDS", default: .seconds(30))
        )
    }
}
