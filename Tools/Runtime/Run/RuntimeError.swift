public import Foundation

/// Why the local runtime could not do what was asked, worded for the developer at the terminal.
public enum RuntimeError: Error, Sendable, Equatable {
    /// A program the runtime needs is not installed.
    case missingExecutable(name: String, debianPackage: String)
    /// A registry entry names an executable that was not built next to `bazaar`.
    case missingServiceExecutable(service: String, path: String)
    /// `bazaar seed` could not load the demo data.
    case seedingFailed(String)
    /// A tool the project installs into its Python venv is missing.
    case missingVenvTool(name: String)
    /// Something else already listens on a port the runtime needs.
    case portInUse(port: Int, purpose: String, option: String?)
    /// Another launcher owns the run directory.
    case alreadyRunning(runDirectory: String, launcherPID: Int32?)
    /// A helper command (initdb, psql, nginx -t, ...) failed.
    case commandFailed(command: String, status: Int32, output: String)
    /// A child did not become ready in time; `recentOutput` holds its last log lines.
    case notReady(name: String, seconds: Int, recentOutput: [String])
    /// A child exited while it was required; `recentOutput` holds its last log lines.
    case processExited(name: String, status: String, recentOutput: [String])
    /// Running as root without a `postgres` system account to run Postgres as.
    case noPostgresAccount
    /// Running as root without the system account the gateway's nginx workers run as.
    case noGatewayAccount(name: String)
    /// A file the runtime relies on could not be read, written or understood.
    case fileProblem(path: String, reason: String)
    /// A detached launcher failed or timed out; `logTail` holds the end of its log.
    case detachedLaunchFailed(reason: String, logPath: String, logTail: [String])
    /// Processes survived SIGKILL (or could not be signalled).
    case processesSurvived([String])
    /// A `--scale` value the launcher cannot run.
    case invalidScale(value: String, problem: String)
}

extension RuntimeError: CustomStringConvertible, LocalizedError {
    /// The message shown to the developer, with what to do about it where there is something to do.
    public var description: String {
        switch self {
        case let .missingExecutable(name, package):
            return "`\(name)` was not found. Install it with: sudo apt-get install \(package)"
        case let .missingVenvTool(name):
            return "`\(name)` was not found in the project's .venv. Install the development tools with: make deps"
        case let .missingServiceExecutable(service, path):
            return "The \(service) service has no executable at \(path). Build it with: swift build --product \(Self.lastComponent(of: path))"
        case let .seedingFailed(reason):
            return "Seeding the demo data failed: \(reason)"
        case let .portInUse(port, purpose, option):
            let hint = option.map { " Stop whatever uses it, or choose another port with \($0)." } ?? " Stop whatever uses it."
            return "Port \(port) (\(purpose)) is already in use on 127.0.0.1.\(hint)"
        case let .alreadyRunning(runDirectory, launcherPID):
            let owner = launcherPID.map { " (launcher pid \($0))" } ?? ""
            return "A Bazaar runtime is already running from \(runDirectory)\(owner). Stop it first with: bazaar down --run-dir \(runDirectory)"
        case let .commandFailed(command, status, output):
            return "`\(command)` failed with exit status \(status).\(Self.indented(output.split(separator: "\n").map(String.init)))"
        case let .notReady(name, seconds, recentOutput):
            return "\(name) was not ready after \(seconds) s.\(Self.indented(recentOutput, heading: "Last lines of its output:"))"
        case let .processExited(name, status, recentOutput):
            return "\(name) exited unexpectedly (\(status)).\(Self.indented(recentOutput, heading: "Last lines of its output:"))"
        case .noPostgresAccount:
            return "Postgres refuses to run as root, and there is no `postgres` system user to run it as. Install the Debian package (sudo apt-get install postgresql) or run bazaar as a normal user."
        case let .noGatewayAccount(name):
            return "nginx workers must not run as root, and there is no `\(name)` system user to run them as. Create it (sudo adduser --system --group \(name)) or run bazaar as a normal user."
        case let .fileProblem(path, reason):
            return "\(path): \(reason)"
        case let .detachedLaunchFailed(reason, logPath, logTail):
            return "\(reason)\nFull log: \(logPath)\(Self.indented(logTail, heading: "Last lines of the log:"))"
        case let .processesSurvived(names):
            return "These processes could not be stopped: \(names.joined(separator: ", "))"
        case let .invalidScale(value, problem):
            return "--scale \(value): \(problem)"
        }
    }

    /// Same as ``description``, for code that asks `LocalizedError`.
    public var errorDescription: String? { description }

    private static func indented(_ lines: [String], heading: String? = nil) -> String {
        guard !lines.isEmpty else { return "" }
        let body = lines.map { "    \($0)" }.joined(separator: "\n")
        return "\n" + (heading.map { "  \($0)\n" } ?? "") + body
    }

    private static func lastComponent(of path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
