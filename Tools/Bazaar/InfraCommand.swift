import ArgumentParser
import BazaarRuntime

/// `bazaar infra`: the infrastructure only, for services run from an IDE or by tests.
struct InfraCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infra",
        abstract: "Start only the infrastructure and write its connection settings to <run-dir>/infra.env."
    )

    @OptionGroup var options: RuntimeOptions
    @OptionGroup var start: StartOptions

    func run() async throws {
        try await start.start(.infrastructure, settings: try options.settings())
    }
}
