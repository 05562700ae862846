import ArgumentParser
import Hummingbird
import NIOCore

/// `bazaar-gateway-health`: answers the local gateway's `GET /health` with the readiness of every
/// service the launcher started (nginx-light has no scripting, so nginx passes the request here).
@main
struct GatewayHealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bazaar-gateway-health",
        abstract: "Aggregates the readiness of local services for the gateway's GET /health."
    )

    @Option(help: "Port to listen on, on 127.0.0.1.")
    var port: Int

    @Option(name: .customLong("service"), help: ArgumentHelp(
        "A service to check as name=port; its GET /health/ready on 127.0.0.1 is asked. Repeat for each service.",
        valueName: "name=port"
    ))
    var services: [String] = []

    @Option(help: "How long one service may take to answer before it counts as unreachable.")
    var timeoutMilliseconds: Int = 1000

    func run() async throws {
        let targets = try services.map(ServiceTarget.init(argument:))
        guard timeoutMilliseconds > 0 else { throw ValidationError("--timeout-milliseconds must be positive.") }
        let checker = ReadinessChecker(services: targets, timeout: .milliseconds(Int64(timeoutMilliseconds)))
        let application = Application(
            router: HealthRoutes.router(checker: checker),
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil)
        )
        // SIGTERM (the launcher's stop) and SIGINT end it gracefully.
        try await application.runService()
    }
}

/// One checked service, from `name=port`.
struct ServiceTarget: Sendable {
    var name: String
    var port: Int

    init(argument: String) throws {
        let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, let port = Int(parts[1]), (1...65_535).contains(port) else {
            throw ValidationError("--service takes name=port (such as user=8101), not '\(argument)'.")
        }
        name = parts[0]
        self.port = port
    }
}
