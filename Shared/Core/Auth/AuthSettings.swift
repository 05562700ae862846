public import Foundation

/// Where access-token verification keys come from and which tokens are acceptable.
public struct AuthSettings: Sendable {
    /// Where the verification keys come from.
    public enum KeySource: Sendable {
        /// A JWKS document at this URL (the user service's `/.well-known/jwks.json`), cached and
        /// re-fetched when a token names an unknown key id.
        case jwks(URL)
        /// One PEM-encoded ES256 public key, optionally with the key id tokens must carry.
        case publicKey(pem: String, keyID: String?)
        /// A fixed set of keys, each with its key id: how the user service verifies the tokens it
        /// issues itself (its current and previous signing keys) without calling its own JWKS.
        case publicKeys([TrustedPublicKey])
    }

    /// One ES256 verification key: PEM-encoded P-256 public key and its key id.
    public struct TrustedPublicKey: Sendable, Hashable {
        public var pem: String
        public var keyID: String

        public init(pem: String, keyID: String) {
            self.pem = pem
            self.keyID = keyID
        }
    }

    public var keySource: KeySource
    /// Required `iss` claim.
    public var issuer: String
    /// Required member of the `aud` claim.
    public var audience: String
    /// How long a fetched JWKS is used before it is fetched again.
    public var jwksCacheDuration: Duration
    /// Least time between two fetches caused by unknown key ids, so forged `kid`s cannot make
    /// the service hammer the user service.
    public var unknownKeyRefetchInterval: Duration
    /// Tolerated clock difference for `iat` in the future.
    public var clockSkew: Duration
    /// How long keys from the last successful JWKS fetch stay trusted while fetches fail; after
    /// that, tokens cannot be verified (503) until the JWKS answers again. A key removed from the
    /// JWKS stops being trusted at the next successful fetch.
    public var jwksMaximumAge: Duration
    /// Wait after a failed JWKS fetch before the next attempt, doubling with each failure up to
    /// ``jwksRetryLimit``; requests meanwhile use the keys they have (or get 503) without fetching.
    public var jwksRetryDelay: Duration
    public var jwksRetryLimit: Duration

    public init(keySource: KeySource, issuer: String = "bazaar-user", audience: String = "bazaar",
                jwksCacheDuration: Duration = .seconds(600), unknownKeyRefetchInterval: Duration = .seconds(10),
                clockSkew: Duration = .seconds(60), jwksMaximumAge: Duration = .seconds(3600),
                jwksRetryDelay: Duration = .seconds(1), jwksRetryLimit: Duration = .seconds(60)) {
        self.keySource = keySource
        self.issuer = issuer
        self.audience = audience
        self.jwksCacheDuration = jwksCacheDuration
        self.unknownKeyRefetchInterval = unknownKeyRefetchInterval
        self.clockSkew = clockSkew
        self.jwksMaximumAge = jwksMaximumAge
        self.jwksRetryDelay = jwksRetryDelay
        self.jwksRetryLimit = jwksRetryLimit
    }

    /// Reads `JWT_JWKS_URL` or `JWT_PUBLIC_KEY` (+ `JWT_KEY_ID`), `JWT_ISSUER`, `JWT_AUDIENCE`,
    /// `JWT_JWKS_CACHE_SECONDS`, `JWT_JWKS_REFETCH_SECONDS`, `JWT_JWKS_MAX_AGE_SECONDS`.
    /// Returns nil when neither key setting is present (the service verifies no tokens).
    public static func from(_ settings: Settings) throws -> AuthSettings? {
        let keySource: KeySource
        if let url = try settings.optionalURL("JWT_JWKS_URL", schemes: ["http", "https"]) {
            keySource = .jwks(url)
        } else if let pem = settings.optionalString("JWT_PUBLIC_KEY") {
            // Environments often carry PEM with literal "\n" sequences.
            keySource = .publicKey(pem: pem.replacingOccurrences(of: "\\n", with: "\n"), keyID: settings.optionalString("JWT_KEY_ID"))
        } else {
            return nil
        }
        let cache = try settings.seconds("JWT_JWKS_CACHE_SECONDS", default: .seconds(600))
        let maximumAge = try settings.seconds("JWT_JWKS_MAX_AGE_SECONDS", default: .seconds(3600))
        guard maximumAge >= cache else {
            throw ConfigurationError(variable: "JWT_JWKS_MAX_AGE_SECONDS", problem: "must be at least JWT_JWKS_CACHE_SECONDS")
        }
        return AuthSettings(
            keySource: keySource,
            issuer: settings.string("JWT_ISSUER", default: "bazaar-user"),
            audience: settings.string("JWT_AUDIENCE", default: "bazaar"),
            jwksCacheDuration: cache,
            unknownKeyRefetchInterval: try settings.seconds("JWT_JWKS_REFETCH_SECONDS", default: .seconds(10)),
            jwksMaximumAge: maximumAge
        )
    }
}
