import Foundation

/// `bazaar seed`: loads the demo catalog into the running platform's (empty) catalog store by
/// running `bazaar-catalog seed` with the catalog's environment. The running catalog service
/// relays the `product.created` events the seeding wrote to its outbox.
public enum DemoDataSeeding {
    /// Seeds and returns what the catalog said; throws when nothing runs or seeding failed.
    public static func seed(settings: RuntimeSettings) async throws -> String {
        guard let catalog = settings.services.first(where: { $0.name == "catalog" }), let executableName = catalog.executableName else {
            throw RuntimeError.seedingFailed("the catalog service is not part of this build")
        }
        guard let text = try FileSystem.readIfPresent(settings.runDirectory.environmentFile) else {
            throw RuntimeError.seedingFailed("nothing runs in \(settings.runDirectory.path); start it with `bazaar up` or `bazaar infra` first")
        }
        let infrastructure = try EnvironmentFile.parse(text)
        let executable = "\(ExecutableLocator.productsDirectory())/\(executableName)"
        guard FileManager.default.isExecutableFile(atPath: executable) else { throw RuntimeError.missingServiceExecutable(service: catalog.name, path: executable) }
        let environment = ServiceEnvironment.variables(for: catalog, settings: settings, infrastructure: infrastructure)
        let result = try await CommandRunner.run(executable, ["seed"], environment: environment)
        guard result.succeeded else { throw RuntimeError.seedingFailed(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return result.output.split(separator: "\n").last.map(String.init) ?? "done"
    }
}
