public import BazaarCore
public import Foundation
import JWTKit

/// An ES256 signing key for tests, with helpers to mint access tokens (valid or deliberately
/// broken) and to publish the public key as a JWKS or PEM the way the user service will.
public struct TestSigningKey: Sendable {
    public let keyID: String
    let privateKey: ES256PrivateKey

    public init(keyID: String = "test-\(UUID().uuidString.prefix(8))") {
        self.keyID = keyID
        self.privateKey = ES256PrivateKey()
    }

    /// The public key in PEM, as `JWT_PUBLIC_KEY` takes it.
    public var publicKeyPEM: String { privateKey.publicKey.pemRepresentation }

    /// This key as one JWK (`kty` EC, `crv` P-256).
    public var jwk: [String: String] {
        let parameters = privateKey.publicKey.parameters!
        return ["kty": "EC", "crv": "P-256", "kid": keyID, "use": "sig", "alg": "ES256", "x": parameters.x, "y": parameters.y]
    }

    /// A JWKS document publishing `keys`.
    public static func jwks(_ keys: [TestSigningKey]) throws -> Data {
        try JSONSerialization.data(withJSONObject: ["keys": keys.map(\.jwk)])
    }

    /// Claims for a token that passes every check with default settings, adjustable per test.
    public static func claims(role: Role = .customer, userID: String = "user-1", issuer: String = "bazaar-user",
                              audience: String = "bazaar", issuedAt: Date = Date(), lifetime: TimeInterval = 900) -> AccessTokenClaims {
        AccessTokenClaims(userID: userID, role: role, email: "\(userID)@example.com", issuer: issuer, audience: audience,
                          issuedAt: issuedAt, expiresAt: issuedAt.addingTimeInterval(lifetime), tokenID: UUID().uuidString)
    }

    /// Signs `claims` with this key, naming it in the `kid` header unless `includeKeyID` is false.
    public func sign(_ claims: AccessTokenClaims = TestSigningKey.claims(), includeKeyID: Bool = true) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: privateKey, kid: JWKIdentifier(string: keyID))
        return try await keys.sign(claims, kid: includeKeyID ? JWKIdentifier(string: keyID) : nil)
    }

    /// A token with `alg: none` and no signature.
    public static func unsignedToken(_ claims: AccessTokenClaims = TestSigningKey.claims(), keyID: String) throws -> String {
        let header = Data(#"{"alg":"none","typ":"JWT","kid":"\#(keyID)"}"#.utf8).base64URLEncodedString()
        return "\(header).\(try JSONEncoder().encode(claims).base64URLEncodedString())."
    }

    /// A token signed with HS256 using this key's public PEM as the HMAC secret: the classic
    /// algorithm-confusion attack.
    public func hmacTokenUsingPublicKey(_ claims: AccessTokenClaims = TestSigningKey.claims()) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: publicKeyPEM), digestAlgorithm: .sha256, kid: JWKIdentifier(string: keyID))
        return try await keys.sign(claims, kid: JWKIdentifier(string: keyID))
    }
}

/// The event-sealing key the user and notification services share in tests (`EVENT_SEALING_KEY`),
/// random per test process, and a sealer holding it.
public enum TestSealingKey {
    public static let text = (0..<2).map { _ in UUID().uuidString }.joined(separator: "-")
    public static var sealer: SecretSealer {
        get throws { try SecretSealer(key: text) }
    }
}
