public import Foundation

/// Generated credentials kept in the run directory's `secrets/` folder: one file per secret,
/// mode 0600 in a 0700 directory. A secret is generated on first use and reused afterwards,
/// so a restarted runtime keeps working with the data it created before.
public struct SecretStore: Sendable {
    /// Folder holding the secret files.
    public let directory: URL

    /// A store backed by `directory`.
    public init(directory: URL) {
        self.directory = directory
    }

    /// The secret called `name`, generated (and stored) the first time it is asked for.
    public func secret(named name: String, length: Int = 32) throws -> String {
        try FileSystem.createDirectory(directory, mode: 0o700, enforcingMode: true)
        let file = directory.appending(path: name)
        if let existing = try FileSystem.readIfPresent(file) {
            let value = existing.trimmingCharacters(in: .whitespacesAndNewlines)
            if !value.isEmpty { return value }
        }
        let generated = Self.generatePassword(length: length)
        if try FileSystem.createExclusively(generated + "\n", at: file, mode: 0o600) {
            return generated
        }
        // Another writer won the race (or the file was empty): overwrite with ours atomically.
        try FileSystem.writeAtomically(generated + "\n", to: file, mode: 0o600)
        return generated
    }

    /// A random password of letters and digits, safe in URLs, SQL literals and shell words unquoted.
    public static func generatePassword(length: Int = 32) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}
