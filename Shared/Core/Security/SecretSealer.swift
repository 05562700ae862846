import Crypto
import Foundation

/// Seals a secret that an event has to carry to one consumer — the password-reset token the user
/// service hands the notification service — so that nobody else who reads the topic (other teams'
/// consumers, a copy of the broker's log, the dead-letter topic) can use it.
///
/// AES-256-GCM under a key the two services share (`EVENT_SEALING_KEY` or `EVENT_SEALING_KEY_FILE`:
/// at least 32 characters of random text, stretched with HKDF-SHA256). A sealed value reads
/// `v1.<key id>.<base64url(nonce | ciphertext | tag)>`; the key id lets a service open values
/// sealed with a retired key while they are still in flight (`EVENT_SEALING_PREVIOUS_KEY_FILES`).
/// The context (the event type and subject) is authenticated with the value, so a sealed token
/// cannot be moved into another user's event.
public struct SecretSealer: Sendable {
    /// The shortest key text accepted: 32 random characters are far more than 128 bits.
    public static let minimumKeyLength = 32
    private static let version = "v1"

    private struct Key: Sendable {
        let id: String
        let key: SymmetricKey

        init(text: String) {
            let material = SymmetricKey(data: Data(text.utf8))
            key = HKDF<SHA256>.deriveKey(inputKeyMaterial: material, salt: Data("bazaar-event-sealing".utf8),
                                         info: Data("aes-256-gcm".utf8), outputByteCount: 32)
            id = key.withUnsafeBytes { SHA256.hash(data: Data($0)) }.prefix(8).hexString
        }
    }

    private let current: Key
    private let keys: [String: Key]

    /// A sealer that seals with `key` and opens values sealed with it or any of `previousKeys`.
    public init(key: String, previousKeys: [String] = []) throws {
        for text in [key] + previousKeys where text.count < Self.minimumKeyLength {
            throw SealingError("a sealing key must be at least \(Self.minimumKeyLength) characters of random text")
        }
        current = Key(text: key)
        keys = Dictionary(([current] + previousKeys.map(Key.init)).map { ($0.id, $0) }) { first, _ in first }
    }

    /// Seals `secret`; only a holder of the key can open it, and only with the same `context`.
    public func seal(_ secret: String, context: String) throws -> String {
        let box = try AES.GCM.seal(Data(secret.utf8), using: current.key, authenticating: Data(context.utf8))
        guard let combined = box.combined else { throw SealingError("AES-GCM produced no combined representation") }
        return "\(Self.version).\(current.id).\(combined.base64URLEncodedString())"
    }

    /// Opens a value `seal` produced for the same `context`.
    public func open(_ sealed: String, context: String) throws -> String {
        let parts = sealed.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == Self.version, let data = Data(base64URLEncoded: String(parts[2])) else {
            throw SealingError("the sealed value is malformed")
        }
        guard let key = keys[String(parts[1])] else {
            throw SealingError("the value was sealed with key \(parts[1]), which this service does not hold")
        }
        do {
            let opened = try AES.GCM.open(AES.GCM.SealedBox(combined: data), using: key.key, authenticating: Data(context.utf8))
            guard let secret = String(data: opened, encoding: .utf8) else { throw SealingError("the sealed value is not text") }
            return secret
        } catch let error as SealingError {
            throw error
        } catch {
            throw SealingError("the sealed value does not open with key \(key.id) in this context (tampered, or moved from another event)")
        }
    }

    public struct SealingError: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}

extension SecretSealer {
    /// The sealer configured by `EVENT_SEALING_KEY` or `EVENT_SEALING_KEY_FILE` (required) and
    /// `EVENT_SEALING_PREVIOUS_KEY_FILES` (comma-separated, optional). Files hold the key text;
    /// surrounding white space is ignored.
    public static func load(from settings: Settings) throws -> SecretSealer {
        let key: String
        if let text = settings.optionalString("EVENT_SEALING_KEY") {
            key = text
        } else if let path = settings.optionalString("EVENT_SEALING_KEY_FILE") {
            key = try ConfigurationError.readFile(path, for: "EVENT_SEALING_KEY_FILE").trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            throw ConfigurationError(variable: "EVENT_SEALING_KEY",
                                     problem: "is required (or EVENT_SEALING_KEY_FILE): the key that seals password-reset tokens inside events")
        }
        let previous = try settings.list("EVENT_SEALING_PREVIOUS_KEY_FILES").map {
            try ConfigurationError.readFile($0, for: "EVENT_SEALING_PREVIOUS_KEY_FILES").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        do {
            return try SecretSealer(key: key, previousKeys: previous)
        } catch {
            throw ConfigurationError(variable: "EVENT_SEALING_KEY", problem: "could not be used: \(error)")
        }
    }
}
