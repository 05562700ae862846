import ArgumentParser
import BazaarRuntime
import Foundation

/// Options every subcommand shares. Each falls back to an environment variable, then to a default.
struct RuntimeOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Folder for data, logs, secrets and state (env BAZAAR_RUN_DIR; default .run in the current folder).",
        valueName: "path"
    ))
    var runDir: String?

    @Option(help: ArgumentHelp(
        "Port of the private Postgres cluster on 127.0.0.1 (env BAZAAR_POSTGRES_PORT; default \(RuntimeSettings.defaultPostgresPort)).",
        valueName: "port"
    ))
    var postgresPort: Int?

    @Option(help: ArgumentHelp(
        "Port of the gateway on 127.0.0.1 (env BAZAAR_GATEWAY_PORT; default \(RuntimeSettings.defaultGatewayPort)).",
        valueName: "port"
    ))
    var gatewayPort: Int?

    @Option(help: ArgumentHelp(
        "Port of the cache redis-server on 127.0.0.1 (env BAZAAR_REDIS_PORT; default \(RuntimeSettings.defaultRedisPort)).",
        valueName: "port"
    ))
    var redisPort: Int?

    @Option(help: ArgumentHelp(
        "Port of the cart store's redis-server on 127.0.0.1 (env BAZAAR_CART_REDIS_PORT; default \(RuntimeSettings.defaultCartRedisPort)).",
        valueName: "port"
    ))
    var cartRedisPort: Int?

    @Option(help: ArgumentHelp(
        "Port of the MongoDB-wire server on 127.0.0.1 (env BAZAAR_MONGO_PORT; default \(RuntimeSettings.defaultMongoPort)).",
        valueName: "port"
    ))
    var mongoPort: Int?

    @Option(help: ArgumentHelp(
        "Port of the SMTP sink on 127.0.0.1 (env BAZAAR_SMTP_PORT; default \(RuntimeSettings.defaultSMTPPort)).",
        valueName: "port"
    ))
    var smtpPort: Int?

    @Option(help: ArgumentHelp(
        "Added to every service's port (env BAZAAR_SERVICE_PORT_OFFSET; default 0), to run a second platform beside the first.",
        valueName: "number"
    ))
    var servicePortOffset: Int?

    /// The settings these options (or their environment variables, or the defaults) select.
    func settings() throws -> RuntimeSettings {
        let environment = ProcessInfo.processInfo.environment
        return RuntimeSettings(
            runDirectory: RunDirectory(path: runDir ?? environment["BAZAAR_RUN_DIR"] ?? RuntimeSettings.defaultRunDirectory),
            postgresPort: try port(postgresPort, variable: "BAZAAR_POSTGRES_PORT", default: RuntimeSettings.defaultPostgresPort),
            gatewayPort: try port(gatewayPort, variable: "BAZAAR_GATEWAY_PORT", default: RuntimeSettings.defaultGatewayPort),
            redisPort: try port(redisPort, variable: "BAZAAR_REDIS_PORT", default: RuntimeSettings.defaultRedisPort),
            cartRedisPort: try port(cartRedisPort, variable: "BAZAAR_CART_REDIS_PORT", default: RuntimeSettings.defaultCartRedisPort),
            mongoPort: try port(mongoPort, variable: "BAZAAR_MONGO_PORT", default: RuntimeSettings.defaultMongoPort),
            smtpPort: try port(smtpPort, variable: "BAZAAR_SMTP_PORT", default: RuntimeSettings.defaultSMTPPort),
            services: try ServiceRegistry.all.map { service in
                service.movingPort(to: try port(service.port + (try portOffset()), variable: "BAZAAR_SERVICE_PORT_OFFSET", default: service.port))
            }
        )
    }

    private func portOffset() throws -> Int {
        if let servicePortOffset { return servicePortOffset }
        guard let text = ProcessInfo.processInfo.environment["BAZAAR_SERVICE_PORT_OFFSET"] else { return 0 }
        guard let offset = Int(text) else { throw ValidationError("BAZAAR_SERVICE_PORT_OFFSET must be a number, not '\(text)'.") }
        return offset
    }

    private func port(_ option: Int?, variable: String, default defaultPort: Int) throws -> Int {
        let chosen: Int
        if let option {
            chosen = option
        } else if let text = ProcessInfo.processInfo.environment[variable] {
            guard let parsed = Int(text) else { throw ValidationError("\(variable) must be a port number, not '\(text)'.") }
            chosen = parsed
        } else {
            chosen = defaultPort
        }
        guard (1...65_535).contains(chosen) else { throw ValidationError("\(chosen) is not a valid port number.") }
        return chosen
    }
}

/// Flags of the subcommands that start a run.
struct StartOptions: ParsableArguments {
    @Flag(help: "Run in the background; stop with `bazaar down`. Output goes to <run-dir>/logs/bazaar.log.")
    var detach = false

    /// Set on the re-executed launcher of `--detach`; not for people.
    @Flag(name: .customLong("detached-child"), help: .private)
    var detachedChild = false

    /// Starts `mode` in the foreground, or in the background with `--detach`.
    func start(_ mode: RuntimeMode, settings: RuntimeSettings) async throws {
        let console = ConsoleOutput()
        if detach && !detachedChild {
            try await DetachedLaunch.start(mode: mode, settings: settings, console: console)
        } else {
            try await LocalRuntime(settings: settings, mode: mode, console: console, detached: detachedChild).run()
        }
    }
}
