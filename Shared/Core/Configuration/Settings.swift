public import Foundation

/// A setting that is missing or malformed. Start-up stops with this error, and its
/// description names the environment variable so an operator knows what to fix.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    /// The environment variable at fault.
    public let variable: String
    /// What is wrong with it, in plain words.
    public let problem: String

    public init(variable: String, problem: String) {
        self.variable = variable
        self.problem = problem
    }

    public var description: String { "configuration error: \(variable) \(problem)" }
}

extension ConfigurationError {
    /// Reads the file a setting names (a key, a secret); unreadable → an error naming `variable`.
    public static func readFile(_ path: String, for variable: String) throws -> String {
        do {
            return try String(contentsOf: URL(fileURLWithPath: path), encoding: .utf8)
        } catch {
            throw ConfigurationError(variable: variable, problem: "names \(path), which could not be read (\(error.localizedDescription))")
        }
    }
}

/// Typed, twelve-factor access to configuration held in environment variables.
///
/// Every accessor either returns a value or throws a ``ConfigurationError`` naming the
/// variable; nothing is silently replaced by a default when the operator did set it.
public struct Settings: Sendable {
    /// The raw variables, as given to the process (or to a test).
    public let values: [String: String]

    /// Reads the current process environment.
    public init() {
        self.values = ProcessInfo.processInfo.environment
    }

    /// Uses the given variables instead of the process environment (tests, tools).
    public init(_ values: [String: String]) {
        self.values = values
    }

    /// The trimmed value, or nil when the variable is unset or blank.
    public func optionalString(_ name: String) -> String? {
        guard let raw = values[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !raw.isEmpty else {
            return nil
        }
        return raw
    }

    /// The value, or `defaultValue` when unset.
    public func string(_ name: String, default defaultValue: String) -> String {
        optionalString(name) ?? defaultValue
    }

    /// The value; throws when unset.
    public func requiredString(_ name: String) throws -> String {
        guard let value = optionalString(name) else {
            throw ConfigurationError(variable: name, problem: "is required but not set")
        }
        return value
    }

    /// An integer within `range`, or `defaultValue` when unset; throws when malformed or out of range.
    public func int(_ name: String, default defaultValue: Int, range: ClosedRange<Int> = Int.min...Int.max) throws -> Int {
        guard let raw = optionalString(name) else { return defaultValue }
        guard let value = Int(raw) else {
            throw ConfigurationError(variable: name, problem: "must be an integer, got \"\(raw)\"")
        }
        guard range.contains(value) else {
            throw ConfigurationError(variable: name, problem: "must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
        return value
    }

    /// A boolean (`true/false`, `1/0`, `yes/no`, `on/off`), or `defaultValue` when unset.
    public func bool(_ name: String, default defaultValue: Bool) throws -> Bool {
        guard let raw = optionalString(name) else { return defaultValue }
        switch raw.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw ConfigurationError(variable: name, problem: "must be true or false, got \"\(raw)\"")
        }
    }

    /// A duration given in (possibly fractional) seconds, or `defaultValue` when unset.
    public func seconds(_ name: String, default defaultValue: Duration) throws -> Duration {
        guard let raw = optionalString(name) else { return defaultValue }
        guard let value = Double(raw), value >= 0, value.isFinite else {
            throw ConfigurationError(variable: name, problem: "must be a non-negative number of seconds, got \"\(raw)\"")
        }
        return .milliseconds(Int64((value * 1000).rounded()))
    }

    /// An absolute URL with a scheme and host; nil when unset.
    public func optionalURL(_ name: String, schemes: Set<String>) throws -> URL? {
        guard let raw = optionalString(name) else { return nil }
        guard let url = URL(string: raw), let scheme = url.scheme?.lowercased(), schemes.contains(scheme), url.host != nil else {
            let allowed = schemes.sorted().joined(separator: ", ")
            throw ConfigurationError(variable: name, problem: "must be a URL with scheme \(allowed), got \"\(Self.redacted(raw))\"")
        }
        return url
    }

    /// A comma-separated list with blanks removed; `defaultValue` when unset.
    public func list(_ name: String, default defaultValue: [String] = []) -> [String] {
        guard let raw = optionalString(name) else { return defaultValue }
        return raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// One of the raw values of `T`, or `defaultValue` when unset.
    public func choice<T: RawRepresentable & CaseIterable>(_ name: String, default defaultValue: T) throws -> T where T.RawValue == String {
        guard let raw = optionalString(name) else { return defaultValue }
        guard let value = T(rawValue: raw.lowercased()) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError(variable: name, problem: "must be one of \(allowed), got \"\(raw)\"")
        }
        return value
    }

    /// Hides a password inside a URL so an error message never prints a secret.
    static func redacted(_ raw: String) -> String {
        guard var components = URLComponents(string: raw), components.password != nil else { return raw }
        components.password = "***"
        return components.string ?? "***"
    }
}
