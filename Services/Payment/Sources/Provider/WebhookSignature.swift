import BazaarCore
import Crypto
import Foundation

/// The `Bazaar-Signature` of provider webhooks: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`
/// under a shared secret (`PAYMENT_WEBHOOK_SECRET`), after Stripe's scheme. More than one `v1`
/// may be sent (during a secret rotation); one valid is enough. A timestamp more than
/// ``tolerance`` away from now is refused, so a captured request cannot be replayed later.
struct WebhookSignature: Sendable {
    /// The current secret, then older ones still accepted while senders move over.
    let secrets: [SymmetricKey]
    var tolerance: TimeInterval = 300

    static let headerName = "Bazaar-Signature"

    init(secrets: [String]) {
        self.secrets = secrets.map { SymmetricKey(data: Data($0.utf8)) }
    }

    /// Why a signature was refused (the webhook answers 400 with it).
    struct Refusal: Error, Equatable, CustomStringConvertible {
        var description: String
    }

    /// The header value for `body` signed at `time` with the current secret.
    func header(for body: Data, at time: Date = Date()) -> String {
        let timestamp = Int64(time.timeIntervalSince1970)
        let code = HMAC<SHA256>.authenticationCode(for: Self.signedPayload(timestamp: timestamp, body: body), using: secrets[0])
        return "t=\(timestamp),v1=\(Data(code).map { String(format: "%02x", $0) }.joined())"
    }

    /// Checks `header` for `body` at `now`; throws ``Refusal`` saying what is wrong.
    func verify(_ header: String?, body: Data, now: Date = Date()) throws {
        guard let header, !header.isEmpty else { throw Refusal(description: "The \(Self.headerName) header is missing.") }
        var timestamp: Int64?
        var signatures: [Data] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            switch pair[0] {
            case "t": timestamp = Int64(pair[1])
            case "v1": if let bytes = Self.bytes(hex: pair[1]) { signatures.append(bytes) }
            default: continue  // other schemes are ignored
            }
        }
        guard let timestamp else { throw Refusal(description: "The \(Self.headerName) header has no timestamp (t=).") }
        guard !signatures.isEmpty else { throw Refusal(description: "The \(Self.headerName) header has no v1 signature.") }
        guard abs(now.timeIntervalSince1970 - Double(timestamp)) <= tolerance else {
            throw Refusal(description: "The signature's timestamp is more than \(Int(tolerance)) seconds from now.")
        }
        let payload = Self.signedPayload(timestamp: timestamp, body: body)
        let valid = signatures.contains { signature in
            secrets.contains { HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: payload, using: $0) }
        }
        guard valid else { throw Refusal(description: "The signature does not match the body.") }
    }

    private static func signedPayload(timestamp: Int64, body: Data) -> Data {
        Data("\(timestamp).".utf8) + body
    }

    private static func bytes(hex: String) -> Data? {
        guard hex.count == 64 else { return nil }
        var data = Data(capacity: 32)
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            data.append(byte)
            index = next
        }
        return data
    }

    /// From `PAYMENT_WEBHOOK_SECRET` or `PAYMENT_WEBHOOK_SECRET_FILE` (required; local runs
    /// generate it), and `PAYMENT_WEBHOOK_PREVIOUS_SECRETS` (comma-separated, optional).
    static func load(from settings: Settings) throws -> WebhookSignature {
        let secret: String
        if let text = settings.optionalString("PAYMENT_WEBHOOK_SECRET") {
            secret = text
        } else if let path = settings.optionalString("PAYMENT_WEBHOOK_SECRET_FILE") {
            secret = try ConfigurationError.readFile(path, for: "PAYMENT_WEBHOOK_SECRET_FILE").trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            throw ConfigurationError(variable: "PAYMENT_WEBHOOK_SECRET",
                                     problem: "is required (or PAYMENT_WEBHOOK_SECRET_FILE): the secret provider webhooks are signed with")
        }
        guard secret.utf8.count >= 16 else {
            throw ConfigurationError(variable: "PAYMENT_WEBHOOK_SECRET", problem: "must be at least 16 characters")
        }
        return WebhookSignature(secrets: [secret] + settings.list("PAYMENT_WEBHOOK_PREVIOUS_SECRETS"))
    }
}
