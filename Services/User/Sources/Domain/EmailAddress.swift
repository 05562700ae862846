import BazaarCore
import Foundation

/// An email address as the user service stores it: trimmed and lower-cased, so one mailbox is
/// one account however it is typed.
///
/// The check is deliberately practical (RFC 5321 lengths, one `@`, a dotted domain of letters,
/// digits and hyphens, no spaces or control characters) rather than the full RFC 5322 grammar:
/// what it accepts, mail servers deliver.
struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    let value: String

    var description: String { value }

    /// The normalised form of `text`, or the reason it is not an address.
    static func parse(_ text: String) -> Result<EmailAddress, InvalidEmail> {
        let normalized = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        func failure(_ message: String) -> Result<EmailAddress, InvalidEmail> { .failure(InvalidEmail(message: message)) }
        guard !normalized.isEmpty else { return failure("is required") }
        guard normalized.utf8.count <= 254 else { return failure("must be at most 254 characters") }
        let parts = normalized.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return failure("must be an email address like name@example.com") }
        let local = parts[0], domain = parts[1]
        guard !local.isEmpty, local.utf8.count <= 64 else { return failure("must have 1 to 64 characters before the @") }
        guard local.unicodeScalars.allSatisfy(isLocalPartScalar), !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..") else {
            return failure("has characters that are not allowed before the @")
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy(isDomainLabel), let top = labels.last, top.count >= 2, !top.allSatisfy(\.isNumber) else {
            return failure("must end in a domain name like example.com")
        }
        return .success(EmailAddress(value: normalized))
    }

    /// The address, or a 400 naming the `email` field.
    static func validated(_ text: String, field: String = "email") throws -> EmailAddress {
        switch parse(text) {
        case .success(let email): return email
        case .failure(let error): throw ProblemError.validation([FieldError(field: field, message: error.message)])
        }
    }

    /// Why a text is not an acceptable address, in words for the `email` field.
    struct InvalidEmail: Error {
        let message: String
    }

    private static func isLocalPartScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "0"..."9": return true
        case ".", "!", "#", "$", "%", "&", "'", "*", "+", "/", "=", "?", "^", "_", "`", "{", "|", "}", "~", "-": return true
        default: return false
        }
    }

    private static func isDomainLabel(_ label: Substring) -> Bool {
        guard (1...63).contains(label.utf8.count), !label.hasPrefix("-"), !label.hasSuffix("-") else { return false }
        return label.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }
}
