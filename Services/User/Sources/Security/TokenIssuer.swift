import BazaarCore
import Foundation
import JWTKit

/// An access token as handed to a client.
struct IssuedAccessToken: Sendable {
    let token: String
    let expiresIn: Int
}

/// Signs access tokens: ES256, `kid` = the signing key's thumbprint, claims `sub`, `role`,
/// `email`, `iss`, `aud`, `iat`, `exp`, `jti`, `sid` (the session) — the shared
/// ``AccessTokenClaims`` every service verifies.
struct TokenIssuer: Sendable {
    let keys: JWTKeyCollection
    let keyID: String
    let issuer: String
    let audience: String
    let lifetime: Duration

    static func make(keyRing: KeyRing, settings: UserSettings) async -> TokenIssuer {
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: keyRing.signingKey, kid: JWKIdentifier(string: keyRing.signingKeyID))
        return TokenIssuer(keys: keys, keyID: keyRing.signingKeyID, issuer: settings.issuer, audience: settings.audience,
                           lifetime: settings.accessTokenLifetime)
    }

    func accessToken(for user: UserRecord, sessionID: UUID, now: Date = Date()) async throws -> IssuedAccessToken {
        let seconds = Int(lifetime.components.seconds)
        let claims = AccessTokenClaims(userID: user.id.lowercased, role: user.role, email: user.email, issuer: issuer,
                                       audience: audience, issuedAt: now, expiresAt: now.addingTimeInterval(TimeInterval(seconds)),
                                       tokenID: UUID().lowercased, sessionID: sessionID.lowercased)
        let token = try await keys.sign(claims, kid: JWKIdentifier(string: keyID))
        return IssuedAccessToken(token: token, expiresIn: seconds)
    }
}
