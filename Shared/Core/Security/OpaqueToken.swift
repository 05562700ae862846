import Crypto
public import Foundation

/// A random secret handed to a client (refresh token, password-reset token, stream ticket): 256
/// bits from the system's CSPRNG, base64url without padding. The server keeps only its SHA-256,
/// so a leaked database does not leak usable tokens.
public struct OpaqueToken: Sendable, Hashable {
    public let value: String

    public static func generate() -> OpaqueToken {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return OpaqueToken(value: Data(bytes).base64URLEncodedString())
    }

    /// The digest the store keys the token by.
    public var digest: Data { Self.digest(of: value) }

    public static func digest(of value: String) -> Data {
        Data(SHA256.hash(data: Data(value.utf8)))
    }

    /// Whether `text` could be a token at all (43 base64url characters), checked before any lookup.
    public static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == 43 && text.unicodeScalars.allSatisfy { scalar in
            ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_"
        }
    }
}
