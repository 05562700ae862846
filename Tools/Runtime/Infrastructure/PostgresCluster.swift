import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Postgres programs the runtime uses, taken from one installation.
struct PostgresPrograms: Sendable {
    var postgres: String
    var initdb: String
    var pgIsReady: String
    var psql: String

    /// Finds the programs on `PATH`, falling back to Debian's `/usr/lib/postgresql/<major>/bin`.
    /// `initdb` is taken from the folder of `postgres` when possible, so both are the same version.
    static func locate() throws -> PostgresPrograms {
        let fallback = ExecutableLocator.postgresVersionDirectories()
        let postgres = try ExecutableLocator.require("postgres", debianPackage: "postgresql", fallbackDirectories: fallback)
        let serverDirectory = ExecutableLocator.resolvedDirectory(of: postgres)
        let initdb = ExecutableLocator.find("initdb", fallbackDirectories: []).flatMap { candidate in
            ExecutableLocator.resolvedDirectory(of: candidate) == serverDirectory ? candidate : nil
        } ?? ExecutableLocator.find("initdb", fallbackDirectories: [serverDirectory] + fallback)
        guard let initdb else { throw RuntimeError.missingExecutable(name: "initdb", debianPackage: "postgresql") }
        return PostgresPrograms(
            postgres: postgres,
            initdb: initdb,
            pgIsReady: try ExecutableLocator.require("pg_isready", debianPackage: "postgresql-client", fallbackDirectories: fallback),
            psql: try ExecutableLocator.require("psql", debianPackage: "postgresql-client", fallbackDirectories: fallback)
        )
    }
}

/// The private Postgres cluster of a run: its data directory, first-time `initdb`, the server
/// command line (TCP on 127.0.0.1 only, no Unix socket) and the readiness check.
struct PostgresCluster: Sendable {
    /// Name of the supervised server process and of its output prefix.
    static let processName = "postgres"

    let programs: PostgresPrograms
    let account: SystemAccount
    let runDirectory: RunDirectory
    let port: Int
    let console: ConsoleOutput

    /// Decides where the data directory lives, creates it, and returns its path.
    ///
    /// Normally `<run-dir>/postgres/data`. When Postgres runs as the `postgres` user and that user
    /// cannot reach the run directory (a run directory under `/root`, say), the data directory goes to
    /// `/tmp/bazaar-postgres-<hash of the run directory>/data` instead. The choice is recorded in
    /// `<run-dir>/postgres-data-location` and reused while that directory holds a cluster.
    func prepareDataDirectory() async throws -> String {
        let locationFile = runDirectory.postgresDataLocationFile
        if let recorded = try FileSystem.readIfPresent(locationFile)?.trimmingCharacters(in: .whitespacesAndNewlines),
           !recorded.isEmpty, FileManager.default.fileExists(atPath: "\(recorded)/PG_VERSION") {
            return recorded
        }
        try FileSystem.createDirectory(runDirectory.postgresDirectory, mode: 0o755)
        var parent = RunDirectory.path(of: runDirectory.postgresDirectory)
        if !(await account.canTraverse(parent)) {
            parent = "/tmp/bazaar-postgres-\(Self.stableHash(runDirectory.path))"
            console.announce("the \(account.systemUserName) user cannot reach \(runDirectory.path); keeping Postgres data in \(parent)")
            if !FileManager.default.fileExists(atPath: parent) {
                try FileSystem.createDirectory(URL(filePath: parent, directoryHint: .isDirectory), mode: 0o700)
                try account.adopt(parent)
            }
            guard account.ownsDirectory(parent) else {
                throw RuntimeError.fileProblem(path: parent, reason: "exists but is not a directory owned by the \(account.systemUserName) user; remove it")
            }
        }
        let dataDirectory = "\(parent)/data"
        // Postgres refuses a data directory others can read.
        try FileSystem.createDirectory(URL(filePath: dataDirectory, directoryHint: .isDirectory), mode: 0o700, enforcingMode: true)
        try account.adopt(dataDirectory)
        try FileSystem.writeAtomically(dataDirectory + "\n", to: locationFile, mode: 0o644)
        return dataDirectory
    }

    /// Runs `initdb` once: superuser `bazaar` with `adminPassword`, SCRAM authentication, UTF8.
    func initializeIfNeeded(dataDirectory: String, adminPassword: String) async throws {
        guard !FileManager.default.fileExists(atPath: "\(dataDirectory)/PG_VERSION") else { return }
        console.announce("initialising a Postgres cluster in \(dataDirectory)")
        // initdb reads the password from a file; this one is readable only by the Postgres account
        // and exists only while initdb runs. The password never appears on a command line.
        let passwordFile = URL(filePath: (dataDirectory as NSString).deletingLastPathComponent).appending(path: "initdb-password")
        try FileSystem.writeAtomically(adminPassword + "\n", to: passwordFile, mode: 0o600)
        defer { unlink(RunDirectory.path(of: passwordFile)) }
        try account.adopt(RunDirectory.path(of: passwordFile))
        let command = account.command(programs.initdb, [
            "--pgdata=\(dataDirectory)",
            "--username=\(InfrastructureEnvironment.postgresAdminUser)",
            "--pwfile=\(RunDirectory.path(of: passwordFile))",
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
        ])
        try await CommandRunner.runChecked(command.executable, command.arguments, displayName: "initdb --pgdata=\(dataDirectory)")
    }

    /// The supervised server: foreground `postgres`, TCP on 127.0.0.1 only, stopped with SIGINT
    /// (fast shutdown, which does not wait for connected services to disconnect).
    func serverSpecification(dataDirectory: String) -> ProcessSpecification {
        let command = account.command(programs.postgres, [
            "-D", dataDirectory,
            "-p", String(port),
            "-c", "listen_addresses=127.0.0.1",
            "-c", "unix_socket_directories=",
            // Seven services with their pools, plus parallel tests that each open a database.
            "-c", "max_connections=300",
        ])
        return ProcessSpecification(
            name: Self.processName, kind: .infrastructure,
            executable: command.executable, arguments: command.arguments,
            port: port, stopSignal: SIGINT
        )
    }

    /// Waits until the server accepts connections; fails early, with its last output, if it exits.
    func waitUntilReady(_ server: SupervisedProcess, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            try Task.checkCancellation()
            guard server.isRunning else { throw await server.unexpectedExitError() }
            if await Self.isReady(port: port, pgIsReady: programs.pgIsReady) { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw RuntimeError.notReady(name: Self.processName, seconds: Int(timeout.components.seconds), recentOutput: server.recentOutput)
    }

    /// Whether a server on 127.0.0.1:`port` accepts connections, according to `pg_isready`.
    static func isReady(port: Int, pgIsReady: String) async -> Bool {
        let result = try? await CommandRunner.run(pgIsReady, ["-q", "-h", "127.0.0.1", "-p", String(port), "-t", "2"])
        return result?.succeeded ?? false
    }

    /// FNV-1a of `text` in hexadecimal: stable across runs, unlike `Hasher`.
    static func stableHash(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
