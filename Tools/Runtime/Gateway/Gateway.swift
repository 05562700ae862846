import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the nginx gateway and its health checker: writes their files, validates them, and
/// describes the supervised processes.
public enum Gateway {
    /// Name of the supervised nginx process and of its output prefix.
    public static let processName = "gateway"
    /// Name of the supervised health checker that answers the gateway's `GET /health`.
    public static let healthProcessName = "gateway-health"
    /// Executable product of the health checker.
    public static let healthExecutableName = "bazaar-gateway-health"

    /// Finds nginx on `PATH` or at Debian's `/usr/sbin/nginx`.
    public static func locateNginx() throws -> String {
        try ExecutableLocator.require("nginx", debianPackage: "nginx", fallbackDirectories: ["/usr/sbin"])
    }

    /// The configuration for `settings` in `directory` (the run directory's `gateway/` unless given),
    /// passing `GET /health` to the health checker on `healthPort`. When the launcher runs as root,
    /// nginx workers run as ``SystemAccount/gatewayUserName``.
    public static func configuration(for settings: RuntimeSettings, healthPort: Int, directory: String? = nil) -> GatewayConfiguration {
        GatewayConfiguration(
            port: settings.gatewayPort,
            directory: directory ?? RunDirectory.path(of: settings.runDirectory.gatewayDirectory),
            services: settings.services,
            healthPort: healthPort,
            workerUser: geteuid() == 0 ? SystemAccount.gatewayUserName : nil,
            replicaPorts: Dictionary(uniqueKeysWithValues: settings.services.map { ($0.name, settings.instances(of: $0).map(\.port)) }),
            workerConnections: OpenFileLimit.nginxWorkerConnections(forLimit: OpenFileLimit.current),
            storefrontSource: storefrontSource()
        )
    }

    /// The storefront's folder in the repository the launcher runs from (``ExecutableLocator/repositoryRoot(containing:)``);
    /// nil when there is none (the gateway then serves the page listing the API areas at `/`).
    public static func storefrontSource() -> String? {
        ExecutableLocator.repositoryRoot(containing: "Web/storefront/index.html")?.appending(path: "Web/storefront").path(percentEncoded: false)
    }

    /// The services the health checker asks: only those the launcher starts (with an executable).
    /// Each replica is checked on its own, under its process name (`order-2`).
    public static func checkedServices(_ settings: RuntimeSettings) -> [ServiceDefinition] {
        settings.services.filter { $0.executableName != nil }.flatMap { service in
            settings.instances(of: service).map { instance in
                instance.name == service.name ? service
                    : ServiceDefinition(name: instance.name, port: instance.port, routePrefixes: [], executableName: service.executableName)
            }
        }
    }

    /// The health checker's arguments: its port and each checked service as `name=port`.
    public static func healthArguments(port: Int, services: [ServiceDefinition]) -> [String] {
        ["--port", String(port)] + services.flatMap { ["--service", "\($0.name)=\($0.port)"] }
    }

    /// Decides where the gateway's files live and returns that folder.
    ///
    /// Normally `<run-dir>/gateway`. When nginx workers run as another account that cannot reach
    /// the run directory (one under `/root`, say), they could neither serve the index page nor
    /// write request bodies to their temporary folders there, so the folder becomes
    /// `/tmp/bazaar-gateway-<hash of the run directory>` instead. The root master reads its
    /// configuration from that folder, so it must be ours and writable by nobody else.
    static func prepareDirectory(settings: RuntimeSettings, account: SystemAccount, console: ConsoleOutput) async throws -> String {
        let preferred = RunDirectory.path(of: settings.runDirectory.gatewayDirectory)
        try FileSystem.createDirectory(settings.runDirectory.gatewayDirectory, mode: 0o755)
        if await account.canTraverse(preferred) { return preferred }
        let fallback = "/tmp/bazaar-gateway-\(PostgresCluster.stableHash(settings.runDirectory.path))"
        console.announce("the \(account.systemUserName) user cannot reach \(settings.runDirectory.path); keeping gateway files in \(fallback)")
        try FileSystem.createDirectory(URL(filePath: fallback, directoryHint: .isDirectory), mode: 0o755)
        var information = stat()
        guard lstat(fallback, &information) == 0, (information.st_mode & S_IFMT) == S_IFDIR,
              information.st_uid == geteuid(), information.st_mode & 0o022 == 0
        else {
            throw RuntimeError.fileProblem(path: fallback, reason: "exists but is not a directory of ours that only we can write; remove it")
        }
        return fallback
    }

    /// Writes the configuration, index page and the folders nginx needs.
    public static func writeFiles(for configuration: GatewayConfiguration) throws {
        for folder in [configuration.directory, configuration.documentRoot] + configuration.temporaryDirectories.values.sorted() {
            try FileSystem.createDirectory(URL(filePath: folder, directoryHint: .isDirectory), mode: 0o755)
        }
        try FileSystem.writeAtomically(configuration.nginxConfiguration(), to: URL(filePath: configuration.configurationPath))
        try FileSystem.writeAtomically(configuration.indexPage(), to: URL(filePath: configuration.indexPagePath))
        if let source = configuration.storefrontSource {
            // A fresh copy on every start: the served files are the repository's as they are now.
            let root = URL(filePath: configuration.storefrontRoot, directoryHint: .isDirectory)
            if FileManager.default.fileExists(atPath: configuration.storefrontRoot) { try FileManager.default.removeItem(at: root) }
            try FileManager.default.copyItem(at: URL(filePath: source, directoryHint: .isDirectory), to: root)
        }
    }

    /// The arguments that run nginx in the foreground with `configuration` (add `-t` to only test it).
    public static func arguments(for configuration: GatewayConfiguration) -> [String] {
        ["-p", configuration.directory, "-c", configuration.configurationPath, "-g", "daemon off;", "-e", "stderr"]
    }

    /// Checks the written configuration with `nginx -t`, throwing nginx's own explanation if it is wrong.
    static func validate(_ configuration: GatewayConfiguration, nginx: String) async throws {
        try await CommandRunner.runChecked(nginx, ["-t", "-q"] + arguments(for: configuration), displayName: "nginx -t -c \(configuration.configurationPath)")
    }

    /// The supervised nginx process (SIGTERM is nginx's fast shutdown).
    static func specification(for configuration: GatewayConfiguration, nginx: String) -> ProcessSpecification {
        ProcessSpecification(
            name: processName, kind: .gateway, executable: nginx,
            arguments: arguments(for: configuration), port: configuration.port
        )
    }

    /// The supervised health checker on `port`, run as `account` (it needs no privilege).
    static func healthSpecification(executable: String, port: Int, services: [ServiceDefinition], account: SystemAccount) -> ProcessSpecification {
        let command = account.command(executable, healthArguments(port: port, services: services))
        return ProcessSpecification(
            name: healthProcessName, kind: .gateway, executable: command.executable, arguments: command.arguments, port: port
        )
    }

    /// A port on 127.0.0.1 that is free now (the health checker's port is internal to the gateway,
    /// so it needs no option of its own). Picked below Linux's ephemeral range (32768–60999), so an
    /// outgoing connection cannot take it between the pick and the checker's start, as can happen
    /// with a kernel-chosen port.
    static func freeLoopbackPort() throws -> Int {
        for _ in 0..<500 {
            let port = Int.random(in: 20_000..<32_000)
            if HealthProbe.isPortAvailable(port) { return port }
        }
        throw RuntimeError.fileProblem(path: "127.0.0.1", reason: "no free port in 20000-31999 for the gateway's health checker")
    }
}
