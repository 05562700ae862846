public import JWTKit
public import Foundation

/// The roles Bazaar knows; an access token carries exactly one.
public enum Role: String, Codable, Sendable, CaseIterable {
    case customer
    case admin
}

/// Who is calling: what a verified access token says about its holder.
public struct Identity: Sendable, Equatable {
    /// The user id (`sub`).
    public let userID: String
    public let role: Role
    public let email: String?
    /// The token's own id (`jti`), for audit logs.
    public let tokenID: String?
    /// When the token was issued (`iat`): tokens issued before the account's sessions were revoked
    /// are refused (``AccountStandings``).
    public let issuedAt: Date?
    /// The sign-in session the token belongs to (`sid`, the refresh-token family): signing that
    /// session out refuses its access tokens too.
    public let sessionID: String?
    /// When the token expires (`exp`): what the token opened for longer than one request (a live
    /// stream) ends then.
    public let expiresAt: Date?

    public init(userID: String, role: Role, email: String? = nil, tokenID: String? = nil, issuedAt: Date? = nil, sessionID: String? = nil,
                expiresAt: Date? = nil) {
        self.userID = userID
        self.role = role
        self.email = email
        self.tokenID = tokenID
        self.issuedAt = issuedAt
        self.sessionID = sessionID
        self.expiresAt = expiresAt
    }
}

/// The claims of a Bazaar access token (ES256 JWT issued by the user service).
/// Producer and verifiers share this one type, so the token format cannot drift between them.
public struct AccessTokenClaims: JWTPayload, Equatable {
    public var sub: SubjectClaim
    public var role: Role
    public var email: String?
    public var iss: IssuerClaim
    public var aud: AudienceClaim
    public var exp: ExpirationClaim
    public var iat: IssuedAtClaim
    public var jti: IDClaim?
    /// The sign-in session (refresh-token family) the token was issued for.
    public var sid: String?

    public init(userID: String, role: Role, email: String?, issuer: String, audience: String, issuedAt: Date, expiresAt: Date, tokenID: String?,
                sessionID: String? = nil) {
        self.sub = SubjectClaim(value: userID)
        self.role = role
        self.email = email
        self.iss = IssuerClaim(value: issuer)
        self.aud = AudienceClaim(value: [audience])
        self.exp = ExpirationClaim(value: expiresAt)
        self.iat = IssuedAtClaim(value: issuedAt)
        self.jti = tokenID.map { IDClaim(value: $0) }
        self.sid = sessionID
    }

    /// Signature-independent checks jwt-kit runs after the signature verified.
    /// Issuer and audience depend on configuration and are checked by ``TokenVerifier``.
    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }

    var identity: Identity {
        Identity(userID: sub.value, role: role, email: email, tokenID: jti?.value, issuedAt: iat.value, sessionID: sid, expiresAt: exp.value)
    }
}
