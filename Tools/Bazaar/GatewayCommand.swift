import ArgumentParser
import BazaarRuntime

/// `bazaar gateway`: the gateway configurations the service registry generates.
struct GatewayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Print a gateway configuration generated from the service registry.",
        subcommands: [KongSubcommand.self]
    )

    /// `bazaar gateway kong`: Kong's declarative configuration, as committed in `infrastructure/gateway/kong.yml`.
    struct KongSubcommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "kong",
            abstract: "Print Kong's DB-less configuration (infrastructure/gateway/kong.yml) for Docker Compose and Kubernetes."
        )

        func run() {
            print(KongConfiguration(services: ServiceRegistry.all).yaml(), terminator: "")
        }
    }
}
