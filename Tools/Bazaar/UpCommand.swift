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

    func run() async throws {
        try await start.start(.full, settings: try options.settings())
    }
}
