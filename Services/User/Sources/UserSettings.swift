import BazaarCore
import Foundation

/// The user service's own configuration, read once at start-up (every variable is
/// described in Services/User/README.md).
struct UserSettings: Sendable {
    /// `BCRYPT_COST` (default 12, 4–16): log2 rounds of password hashing.
    var bcryptCost: Int
    /// `ACCESS_TOKEN_TTL_SECONDS` (default 900).
    var accessTokenLifetime: Duration
    /// `REFRESH_TOKEN_TTL_SECONDS` (default 7 days).
    var refreshTokenLifetime: Duration
    /// `PASSWORD_RESET_TTL_SECONDS` (default 30 minutes).
    var passwordResetLifetime: Duration
    /// `JWT_ISSUER` / `JWT_AUDIENCE`: the same values every verifier checks.
    var issuer: String
    var audience: String
    /// Sign-in throttling: `LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_IP` (5), `LOGIN_MAX_FAILURES_PER_ACCOUNT`
    /// (100), `LOGIN_MAX_FAILURES_PER_IP` (100) within `LOGIN_FAILURE_WINDOW_SECONDS` (900).
    var loginLimits: LoginLimits
    /// Requests per minute on the routes that check credentials or run bcrypt (``RequestLimits``).
    var requestLimits: RequestLimits
    /// `PASSWORD_RESET_MAX_PER_HOUR` (default 3): reset emails per account and hour.
    var passwordResetsPerHour: Int
    /// `REDIS_KEY_PREFIX` (default `bazaar:user:`): namespaces this service's Redis keys, so
    /// several environments can share one Redis.
    var redisKeyPrefix: String
    /// The first administrator: `ADMIN_EMAIL`, `ADMIN_PASSWORD`, `ADMIN_NAME` (both of the first two or neither).
    var initialAdmin: InitialAdmin?

    struct InitialAdmin: Sendable {
        var email: String
        var password: String
        var name: String
    }

    static func from(_ settings: Settings) throws -> UserSettings {
        let admin: InitialAdmin?
        switch (settings.optionalString("ADMIN_EMAIL"), settings.optionalString("ADMIN_PASSWORD")) {
        case (nil, nil):
            admin = nil
        case (let email?, let password?):
            admin = InitialAdmin(email: email, password: password, name: settings.string("ADMIN_NAME", default: "Administrator"))
        case (nil, _?):
            throw ConfigurationError(variable: "ADMIN_EMAIL", problem: "is required when ADMIN_PASSWORD is set")
        case (_?, nil):
            throw ConfigurationError(variable: "ADMIN_PASSWORD", problem: "is required when ADMIN_EMAIL is set")
        }
        return UserSettings(
            bcryptCost: try settings.int("BCRYPT_COST", default: 12, range: 4...16),
            accessTokenLifetime: try settings.seconds("ACCESS_TOKEN_TTL_SECONDS", default: .seconds(900)),
            refreshTokenLifetime: try settings.seconds("REFRESH_TOKEN_TTL_SECONDS", default: .seconds(7 * 24 * 3600)),
            passwordResetLifetime: try settings.seconds("PASSWORD_RESET_TTL_SECONDS", default: .seconds(1800)),
            issuer: settings.string("JWT_ISSUER", default: "bazaar-user"),
            audience: settings.string("JWT_AUDIENCE", default: "bazaar"),
            loginLimits: LoginLimits(
                failuresPerAccountAndAddress: try settings.int("LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_IP", default: 5, range: 1...1_000),
                failuresPerAccount: try settings.int("LOGIN_MAX_FAILURES_PER_ACCOUNT", default: 100, range: 1...100_000),
                failuresPerAddress: try settings.int("LOGIN_MAX_FAILURES_PER_IP", default: 100, range: 1...100_000),
                window: try settings.seconds("LOGIN_FAILURE_WINDOW_SECONDS", default: .seconds(900))
            ),
            requestLimits: RequestLimits(
                signIn: try settings.int("RATE_LIMIT_SIGN_IN_PER_MINUTE", default: 30, range: 1...1_000_000),
                registration: try settings.int("RATE_LIMIT_REGISTRATION_PER_MINUTE", default: 10, range: 1...1_000_000),
                refresh: try settings.int("RATE_LIMIT_REFRESH_PER_MINUTE", default: 60, range: 1...1_000_000),
                passwordReset: try settings.int("RATE_LIMIT_PASSWORD_RESET_PER_MINUTE", default: 10, range: 1...1_000_000),
                passwordChange: try settings.int("RATE_LIMIT_PASSWORD_CHANGE_PER_MINUTE", default: 10, range: 1...1_000_000)
            ),
            passwordResetsPerHour: try settings.int("PASSWORD_RESET_MAX_PER_HOUR", default: 3, range: 1...1_000),
            redisKeyPrefix: settings.string("REDIS_KEY_PREFIX", default: "bazaar:user:"),
            initialAdmin: admin
        )
    }
}

/// Requests per minute per client address (and, for a password change, per account too) on the
/// routes that check credentials or run bcrypt, so a flood of them cannot take the CPU sign-in
/// needs: `RATE_LIMIT_SIGN_IN_PER_MINUTE` (30), `RATE_LIMIT_REGISTRATION_PER_MINUTE` (10),
/// `RATE_LIMIT_REFRESH_PER_MINUTE` (60), `RATE_LIMIT_PASSWORD_RESET_PER_MINUTE` (10, request and
/// confirm each), `RATE_LIMIT_PASSWORD_CHANGE_PER_MINUTE` (10). Counted in Redis, shared by
/// replicas; answered with `RateLimit-*` headers, and 429 with `Retry-After` beyond.
struct RequestLimits: Sendable {
    var signIn: Int
    var registration: Int
    var refresh: Int
    var passwordReset: Int
    var passwordChange: Int
}

/// How many failed sign-ins are tolerated before further attempts are refused for a while.
///
/// Tight per account *and* client address, so one guesser is stopped after a few tries without
/// locking the owner (elsewhere) out; loose per account, so guessing from many addresses is still
/// bounded; generous per address, so shoppers behind one NAT do not block each other.
struct LoginLimits: Sendable {
    var failuresPerAccountAndAddress: Int
    var failuresPerAccount: Int
    var failuresPerAddress: Int
    var window: Duration
}
