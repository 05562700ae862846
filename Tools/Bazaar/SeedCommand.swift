import ArgumentParser
import BazaarRuntime

/// `bazaar seed`: loads the demo catalog into the running platform.
struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Load the deterministic demo catalog (brands, categories, 200+ products) into an empty catalog store.",
        discussion: "Needs a run started with `bazaar up` or `bazaar infra`. A store that already has data is left as it is. `bazaar up` seeds an empty store by itself."
    )

    @OptionGroup var options: RuntimeOptions

    func run() async throws {
        ConsoleOutput().plain(try await DemoDataSeeding.seed(settings: try options.settings()))
    }
}
