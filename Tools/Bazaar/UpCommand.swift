import ArgumentParser
import BazaarRuntime

/// `bazaar up`: infrastructure, every built service, and the gateway.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start the infrastructure, every built service and the gateway on http://localhost:<gateway-port>."
    )

    @OptionGroup var options: RuntimeOptions
    @OptionGroup var start: StartOptions

    @Option(name: .customLong("scale"), help: ArgumentHelp(
        "Run several replicas of a service behind the gateway, such as order=3 (repeatable). Replica n listens on the service's port + n × 100.",
        valueName: "service=count"))
    var scale: [String] = []

    func run() async throws {
        var settings = try options.settings()
        settings.replicas = try RuntimeSettings.replicas(from: scale, services: settings.services)
        try await start.start(.full, settings: settings)
    }
}
