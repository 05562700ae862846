import ArgumentParser
import BazaarRuntime

/// `bazaar status`: the processes of the current run and their health.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show every process of the current run, whether it is alive, and its health.",
        discussion: "Exit status: 0 when everything is up and healthy, 1 when something is dead or unhealthy (including children left by a killed launcher), 3 when nothing runs."
    )

    @OptionGroup var options: RuntimeOptions

    func run() async throws {
        let runDirectory = try options.settings().runDirectory
        let status = try await RuntimeStatus.inspect(runDirectory)
        ConsoleOutput().plain(status.rendered(runDirectory: runDirectory))
        if !status.isRunning && !status.hasLiveProcesses { throw ExitCode(3) }
        if !status.isHealthy { throw ExitCode.failure }
    }
}
