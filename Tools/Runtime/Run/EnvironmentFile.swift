import Foundation

/// An ordered list of `KEY=VALUE` settings that a POSIX shell can `source` (values are single-quoted
/// when they hold anything but plain URL characters) and that ``parse(_:)`` reads back.
public struct EnvironmentFile: Sendable, Equatable {
    /// One setting.
    public struct Entry: Sendable, Equatable {
        /// Variable name, such as `ORDER_DATABASE_URL`.
        public var key: String
        /// Its value, unquoted.
        public var value: String

        /// Creates a setting.
        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    /// The settings, in file order.
    public var entries: [Entry]

    /// Creates a file from settings in the given order.
    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// The value of `key`, if present.
    public subscript(key: String) -> String? {
        entries.last { $0.key == key }?.value
    }

    /// The file's text: a comment line, then one `KEY=VALUE` line per entry.
    public func rendered(comment: String? = nil) -> String {
        var lines = comment.map { ["# \($0)"] } ?? []
        lines += entries.map { "\($0.key)=\(Self.shellQuoted($0.value))" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads text in the format ``rendered(comment:)`` writes: comments and blank lines are skipped,
    /// an optional `export ` prefix is accepted, and values may be single-quoted, double-quoted or bare.
    public static func parse(_ text: String) throws -> EnvironmentFile {
        var entries: [Entry] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst("export ".count)) }
            guard let equals = line.firstIndex(of: "="), equals != line.startIndex else {
                throw RuntimeError.fileProblem(path: "environment file", reason: "line \(index + 1) is not KEY=VALUE")
            }
            let key = String(line[..<equals])
            let value = try unquoted(String(line[line.index(after: equals)...]), line: index + 1)
            entries.append(Entry(key: key, value: value))
        }
        return EnvironmentFile(entries: entries)
    }

    /// `value` as a shell word: unchanged when it only has safe characters, single-quoted otherwise.
    static func shellQuoted(_ value: String) -> String {
        let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./_-")
        if !value.isEmpty, value.unicodeScalars.allSatisfy(safe.contains) { return value }
        return "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    private static func unquoted(_ word: String, line: Int) throws -> String {
        var result = ""
        var characters = word.makeIterator()
        while let character = characters.next() {
            switch character {
            case "'":
                var closed = false
                while let inner = characters.next() {
                    if inner == "'" { closed = true; break }
                    result.append(inner)
                }
                if !closed { throw unterminated(line) }
            case "\"":
                var closed = false
                while let inner = characters.next() {
                    if inner == "\"" { closed = true; break }
                    if inner == "\\", let escaped = characters.next() { result.append(escaped) } else { result.append(inner) }
                }
                if !closed { throw unterminated(line) }
            case "\\":
                if let escaped = characters.next() { result.append(escaped) }
            default:
                result.append(character)
            }
        }
        return result
    }

    private static func unterminated(_ line: Int) -> RuntimeError {
        .fileProblem(path: "environment file", reason: "line \(line) has an unterminated quote")
    }
}

/// The keys and contents of `infra.env`, which tells services and tests how to reach the infrastructure.
public enum InfrastructureEnvironment {
    /// Absolute path of the run directory.
    public static let runDirectoryKey = "BAZAAR_RUN_DIR"
    /// Superuser URL to the `postgres` maintenance database.
    public static let postgresAdminURLKey = "BAZAAR_POSTGRES_ADMIN_URL"
    /// Name of the bootstrap superuser of the private cluster.
    public static let postgresAdminUser = "bazaar"

    /// A `postgres://` connection URL to the local cluster on 127.0.0.1.
    public static func postgresURL(user: String, password: String, port: Int, database: String) -> String {
        func encoded(_ part: String) -> String {
            part.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? part
        }
        return "postgres://\(encoded(user)):\(encoded(password))@127.0.0.1:\(port)/\(encoded(database))"
    }

    /// The settings of `infra.env`: run directory, admin URL, then one `<NAME>_DATABASE_URL` per
    /// service with a database. `passwords` maps service names to their role passwords.
    public static func make(
        settings: RuntimeSettings,
        adminPassword: String,
        passwords: [String: String]
    ) -> EnvironmentFile {
        var entries = [
            EnvironmentFile.Entry(key: runDirectoryKey, value: settings.runDirectory.path),
            EnvironmentFile.Entry(
                key: postgresAdminURLKey,
                value: postgresURL(user: postgresAdminUser, password: adminPassword, port: settings.postgresPort, database: "postgres")
            ),
        ]
        for service in ServiceRegistry.servicesWithDatabase(in: settings.services) {
            guard let database = service.databaseName, let password = passwords[service.name] else { continue }
            entries.append(EnvironmentFile.Entry(
                key: service.databaseURLKey,
                value: postgresURL(user: service.databaseRoleName, password: password, port: settings.postgresPort, database: database)
            ))
        }
        return EnvironmentFile(entries: entries)
    }
}
