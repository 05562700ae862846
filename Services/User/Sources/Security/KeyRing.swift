import BazaarCore
import Crypto
import Foundation
import JWTKit

/// The user service's token keys: the one it signs with and every key it publishes in its JWKS.
///
/// Rotation without logging anyone out: start instances with the new key as
/// `JWT_SIGNING_KEY(_FILE)` and the old one in `JWT_PREVIOUS_KEY_FILES`; tokens signed by the
/// old key verify until they expire (15 minutes), then the old key can be dropped.
/// Key ids are RFC 7638 thumbprints, so every instance names the same key the same way.
struct KeyRing: Sendable {
    struct PublishedKey: Sendable {
        let keyID: String
        let publicKey: ES256PublicKey
    }

    let signingKey: ES256PrivateKey
    let signingKeyID: String
    /// The signing key's public half first, then the previous keys.
    let published: [PublishedKey]

    init(signingKey: ES256PrivateKey, previousKeys: [ES256PublicKey] = []) throws {
        self.signingKey = signingKey
        self.signingKeyID = try Self.thumbprint(of: signingKey.publicKey)
        var published = [PublishedKey(keyID: signingKeyID, publicKey: signingKey.publicKey)]
        for key in previousKeys {
            let keyID = try Self.thumbprint(of: key)
            if !published.contains(where: { $0.keyID == keyID }) {
                published.append(PublishedKey(keyID: keyID, publicKey: key))
            }
        }
        self.published = published
    }

    /// The JWKS document served at `/.well-known/jwks.json`.
    func jwksDocument() throws -> Data {
        let keys = try published.map { key -> [String: String] in
            let (x, y) = try Self.coordinates(of: key.publicKey)
            return ["kty": "EC", "crv": "P-256", "kid": key.keyID, "use": "sig", "alg": "ES256", "x": x, "y": y]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(["keys": keys])
    }

    /// The keys as the shared token verifier takes them.
    var trustedKeys: [AuthSettings.TrustedPublicKey] {
        published.map { AuthSettings.TrustedPublicKey(pem: $0.publicKey.pemRepresentation, keyID: $0.keyID) }
    }

    /// The RFC 7638 JWK thumbprint (SHA-256, base64url) of a P-256 public key.
    static func thumbprint(of key: ES256PublicKey) throws -> String {
        let (x, y) = try coordinates(of: key)
        let canonical = #"{"crv":"P-256","kty":"EC","x":"\#(x)","y":"\#(y)"}"#
        return Data(SHA256.hash(data: Data(canonical.utf8))).base64URLEncodedString()
    }

    private static func coordinates(of key: ES256PublicKey) throws -> (x: String, y: String) {
        guard let parameters = key.parameters else { throw KeyRingError(detail: "the public key has no curve coordinates") }
        return (parameters.x, parameters.y)
    }

    struct KeyRingError: Error, CustomStringConvertible {
        let detail: String
        var description: String { detail }
    }
}

extension KeyRing {
    /// Loads the keys from `JWT_SIGNING_KEY` (PEM, `\n` escapes allowed) or `JWT_SIGNING_KEY_FILE`
    /// and `JWT_PREVIOUS_KEY_FILES` (comma-separated PEM files, public or private keys).
    /// With `JWT_SIGNING_KEY_GENERATE=true` a missing key file is created (mode 0600): how a local
    /// run gets its key on first start. Production passes a key from its secret store.
    static func load(from settings: Settings) throws -> KeyRing {
        let signingKey: ES256PrivateKey
        if let pem = settings.optionalString("JWT_SIGNING_KEY") {
            signingKey = try privateKey(pem.replacingOccurrences(of: "\\n", with: "\n"), variable: "JWT_SIGNING_KEY")
        } else if let path = settings.optionalString("JWT_SIGNING_KEY_FILE") {
            let url = URL(fileURLWithPath: path)
            if !FileManager.default.fileExists(atPath: path), try settings.bool("JWT_SIGNING_KEY_GENERATE", default: false) {
                try generateKeyFile(at: url)
            }
            signingKey = try privateKey(try ConfigurationError.readFile(path, for: "JWT_SIGNING_KEY_FILE"), variable: "JWT_SIGNING_KEY_FILE")
        } else {
            throw ConfigurationError(variable: "JWT_SIGNING_KEY", problem: "is required (or JWT_SIGNING_KEY_FILE): the ES256 private key tokens are signed with")
        }
        let previous = try settings.list("JWT_PREVIOUS_KEY_FILES").map { path in
            try publicKey(try ConfigurationError.readFile(path, for: "JWT_PREVIOUS_KEY_FILES"), variable: "JWT_PREVIOUS_KEY_FILES")
        }
        do {
            return try KeyRing(signingKey: signingKey, previousKeys: previous)
        } catch {
            throw ConfigurationError(variable: "JWT_SIGNING_KEY", problem: "could not be used: \(error)")
        }
    }

    private static func privateKey(_ pem: String, variable: String) throws -> ES256PrivateKey {
        do {
            return try ES256PrivateKey(pem: pem)
        } catch {
            throw ConfigurationError(variable: variable, problem: "is not a PEM-encoded P-256 (ES256) private key")
        }
    }

    /// A published key may be given as its public key or as the retired private key.
    private static func publicKey(_ pem: String, variable: String) throws -> ES256PublicKey {
        if let key = try? ES256PublicKey(pem: pem) { return key }
        if let key = try? ES256PrivateKey(pem: pem) { return key.publicKey }
        throw ConfigurationError(variable: variable, problem: "names a file that is not a PEM-encoded P-256 key")
    }

    private static func generateKeyFile(at url: URL) throws {
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let pem = ES256PrivateKey().pemRepresentation
            guard FileManager.default.createFile(atPath: url.path, contents: Data(pem.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw KeyRingError(detail: "could not create the file")
            }
        } catch {
            throw ConfigurationError(variable: "JWT_SIGNING_KEY_FILE", problem: "\(url.path) could not be generated (\(error))")
        }
    }
}
