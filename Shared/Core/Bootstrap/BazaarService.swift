public import BazaarServiceDirectory
public import Foundation

/// One Bazaar service, described the same way for every service: where it is listed, its
/// OpenAPI document, and the one function that adds its stores, consumers, background work and
/// routes to a ``ServiceHost``.
///
/// `main` and the tests both start the service through ``configure(_:)``, so a test runs the
/// real service, never a hand-assembled copy. A service's `main.swift` is one line:
///
/// ```swift
/// await UserService.main()
/// ```
///
/// Conforming types are namespaces (enums) whose metatype may cross isolation boundaries
/// (`SendableMetatype`), so generic code such as the test harness can use them from any task.
public protocol BazaarService: SendableMetatype {
    /// The service's entry in `ServiceDirectory`: its name and default port are read from there,
    /// as the local launcher reads its executable, databases and routes.
    static var listing: ServiceListing { get }

    /// The bundled OpenAPI 3.1 document served at `/openapi.json`.
    static var openAPIDocument: URL? { get }

    /// Adds the service's stores, consumers, background services and routes to `host`.
    nonisolated(nonsending) static func configure(_ host: inout ServiceHost) async throws

    /// One-off commands the executable runs instead of serving, such as `bazaar-catalog seed`;
    /// none unless the service declares some.
    static var commands: [ServiceCommand] { get }
}

extension BazaarService {
    /// The service's short lowercase name (`user`), from ``listing``.
    public static var name: String { listing.name }

    /// The port the service listens on when `PORT` is unset, from ``listing``.
    public static var defaultPort: Int { listing.port }

    /// No commands: the executable only serves.
    public static var commands: [ServiceCommand] { [] }

    /// The executable's entry point: runs the command named by the first argument when the
    /// service declares one (printing what it reports; on failure the error goes to standard
    /// error and the process exits with status 1), otherwise serves through
    /// ``ServiceHost/main(name:defaultPort:openAPIDocument:configure:)``.
    public static func main(arguments: [String] = CommandLine.arguments) async {
        if let requested = arguments.dropFirst().first, let command = commands.first(where: { $0.name == requested }) {
            let executable = listing.executableName ?? "bazaar-\(name)"
            do {
                print(try await command.run(Settings()))
            } catch {
                FileHandle.standardError.write(Data("\(executable) \(command.name) failed: \(error)\n".utf8))
                exit(1)
            }
            return
        }
        await ServiceHost.main(name: name, defaultPort: defaultPort, openAPIDocument: openAPIDocument) { host in
            try await configure(&host)
        }
    }
}

/// A one-off command of a service's executable (`bazaar-catalog seed`), run instead of serving.
public struct ServiceCommand: Sendable {
    /// The first argument that selects it (`seed`).
    public let name: String
    /// One line saying what it does.
    public let summary: String
    /// Runs it with the process's configuration and returns what to print.
    public let run: @Sendable (Settings) async throws -> String

    /// Creates a command; see the properties for the meaning of each field.
    public init(name: String, summary: String, run: @escaping @Sendable (Settings) async throws -> String) {
        self.name = name
        self.summary = summary
        self.run = run
    }
}
