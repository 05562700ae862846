import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the nginx gateway: writes its files, validates them, and describes the supervised process.
public enum Gateway {
    /// Name of the supervised nginx process and of its output prefix.
    public static let processName = "gateway"

    /// Finds nginx on `PATH` or at Debian's `/usr/sbin/nginx`.
    public static func locateNginx() throws -> String {
        try ExecutableLocator.require("nginx", debianPackage: "nginx", fallbackDirectories: ["/usr/sbin"])
    }

    /// The configuration for `settings`, with `user root` when the launcher runs as root.
    public static func configuration(for settings: RuntimeSettings) -> GatewayConfiguration {
        GatewayConfiguration(
            port: settings.gatewayPort,
            directory: RunDirectory.path(of: settings.runDirectory.gatewayDirectory),
            services: settings.services,
            workerUser: geteuid() == 0 ? "root" : nil
        )
    }

    /// Writes the configuration, index page and the folders nginx needs.
    public static func writeFiles(for configuration: GatewayConfiguration) throws {
        for folder in [configuration.directory, configuration.documentRoot] + configuration.temporaryDirectories.values.sorted() {
            try FileSystem.createDirectory(URL(filePath: folder, directoryHint: .isDirectory), mode: 0o755)
        }
        try FileSystem.writeAtomically(configuration.nginxConfiguration(), to: URL(filePath: configuration.configurationPath))
        try FileSystem.writeAtomically(configuration.indexPage(), to: URL(filePath: configuration.indexPagePath))
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
}
