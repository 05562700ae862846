import ArgumentParser
import BazaarRuntime

/// `bazaar down`: stops a run started elsewhere (usually with `--detach`).
struct DownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Stop the run recorded in the run directory (exits 0 when nothing runs)."
    )

    @OptionGroup var options: RuntimeOptions

    func run() async throws {
        try await RuntimeShutdown.stop(try options.settings().runDirectory, console: ConsoleOutput())
    }
}
