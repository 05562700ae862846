import BazaarCore

/// What a new password must satisfy: at least 10 characters, at most 72 bytes (bcrypt ignores
/// the rest, so a longer one would silently not count), no control characters, and not one of
/// the passwords attackers try first.
enum PasswordPolicy {
    static let minimumLength = 10
    static let maximumBytes = 72

    /// Field errors for `password` under `field`; empty when it is acceptable.
    /// `email` and `name` are the account's, which a password must not simply repeat.
    static func problems(_ password: String, field: String, email: String?, name: String?) -> [FieldError] {
        var errors: [FieldError] = []
        func fail(_ message: String) { errors.append(FieldError(field: field, message: message)) }
        if password.count < minimumLength {
            fail("must be at least \(minimumLength) characters")
        }
        if password.utf8.count > maximumBytes {
            fail("must be at most \(maximumBytes) bytes")
        }
        if Validation.containsControlCharacters(password) {
            fail("must not contain control characters")
        }
        guard errors.isEmpty else { return errors }
        if CommonPasswords.contains(password) {
            fail("is too common; choose one that is not on lists of frequently used passwords")
        } else if repeatsAccount(password, email: email, name: name) {
            fail("must not be your email address or name")
        }
        return errors
    }

    private static func repeatsAccount(_ password: String, email: String?, name: String?) -> Bool {
        let lowered = password.lowercased()
        var forbidden: [String] = []
        if let email {
            forbidden.append(email.lowercased())
            if let local = email.lowercased().split(separator: "@").first, local.count >= 4 { forbidden.append(String(local)) }
        }
        if let name { forbidden.append(name.lowercased().filter { !$0.isWhitespace }) }
        let compact = lowered.filter { !$0.isWhitespace }
        return forbidden.contains { !$0.isEmpty && (compact == $0 || CommonPasswords.base(of: compact) == $0) }
    }
}
