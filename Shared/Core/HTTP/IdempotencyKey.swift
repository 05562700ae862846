import Crypto
import Foundation
public import HTTPTypes
public import Hummingbird

/// The `Idempotency-Key` header of POSTs that create money-relevant things (a checkout, a
/// refund): the client sends a new random key per attempt and the same key when it retries, so a
/// retry gets the first answer instead of a second effect.
public enum IdempotencyKey {
    public static let header = HTTPField.Name("Idempotency-Key")!

    /// The request's key: 1 to 255 visible ASCII characters. 400 naming `what` (e.g. "A
    /// checkout") when it is missing, 400 when it is malformed.
    public static func from(_ request: Request, for what: String) throws -> String {
        guard let key = request.headers[header] else {
            throw ProblemError.badRequest("\(what) needs an Idempotency-Key header (a new random key per attempt, e.g. a UUID).")
        }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw ProblemError.badRequest("The Idempotency-Key must be 1 to 255 visible ASCII characters.")
        }
        return key
    }

    /// A digest of the request a key came with (its JSON with sorted keys, SHA-256 in hex), to
    /// tell a retry (same digest) from another request reusing the key (a 422).
    public static func fingerprint(_ request: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return SHA256.hash(data: try encoder.encode(request)).hexString
    }
}
