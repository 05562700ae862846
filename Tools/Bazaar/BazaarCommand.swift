import ArgumentParser

/// `bazaar`: runs the Bazaar platform on one machine, without Docker.
@main
struct BazaarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bazaar",
        abstract: "Run the Bazaar platform on this machine, without Docker.",
        discussion: """
            Infrastructure (a private Postgres cluster), every built service and an nginx gateway run as \
            child processes with their data under the run directory. Ctrl-C stops them all.
            """,
        subcommands: [UpCommand.self, InfraCommand.self, StatusCommand.self, DownCommand.self, SeedCommand.self, GenerateCommand.self]
    )
}
