import Foundation

/// The start sequence of a run: Postgres (initialised, ready, provisioned), the Kafka dev broker,
/// the cache and cart-store redis-servers, the MongoDB-wire server, the SMTP sink, `infra.env` written,
/// then, for `bazaar up`, every service that has an executable and finally the gateway.
/// Every started child joins the process group and the state file at once, so whatever happens
/// next (failure, Ctrl-C) it is stopped with the rest.
struct RuntimeStartup: Sendable {
    let settings: RuntimeSettings
    let mode: RuntimeMode
    let console: ConsoleOutput
    let group: ProcessGroup
    let recorder: RunStateRecorder

    /// Starts everything `mode` needs and returns the content of `infra.env`.
    func run() async throws -> EnvironmentFile {
        try checkPorts()
        // Before any child starts: they inherit it (the gateway and services hold open streams).
        let openFiles = OpenFileLimit.raise()
        if openFiles < 4096 {
            console.announce("warning: the open-file limit is \(openFiles) (the hard limit allows no more); the gateway holds at most "
                + "\(OpenFileLimit.nginxWorkerConnections(forLimit: openFiles)) connections per worker, and each live stream takes two. "
                + "Raise it with `ulimit -Hn` (or LimitNOFILE= for a systemd unit).")
        }
        let environment = try await startInfrastructure()
        if mode == .full {
            try await startServices(environment: environment)
            try await startGateway()
        }
        return environment
    }

    private func checkPorts() throws {
        var wanted: [(port: Int, purpose: String, option: String?)] = [
            (settings.postgresPort, "Postgres", "--postgres-port"),
            (settings.redisPort, "Redis (cache)", "--redis-port"),
            (settings.cartRedisPort, "Redis (cart store)", "--cart-redis-port"),
            (settings.mongoPort, "MongoDB-wire server", "--mongo-port"),
            (settings.smtpPort, "SMTP sink", "--smtp-port"),
        ]
        if mode == .full {
            wanted.append((settings.gatewayPort, "gateway", "--gateway-port"))
            wanted += settings.services.filter { $0.executableName != nil }
                .flatMap { settings.instances(of: $0) }.map { ($0.port, "\($0.name) service", nil) }
        }
        for entry in wanted where !HealthProbe.isPortAvailable(entry.port) {
            throw RuntimeError.portInUse(port: entry.port, purpose: entry.purpose, option: entry.option)
        }
    }

    private func startInfrastructure() async throws -> EnvironmentFile {
        let programs = try PostgresPrograms.locate()
        let account = try SystemAccount.postgres()
        let secrets = SecretStore(directory: settings.runDirectory.secretsDirectory)
        let adminPassword = try secrets.secret(named: "postgres-admin-password")
        var passwords: [String: String] = [:]
        for service in ServiceRegistry.servicesWithDatabase(in: settings.services) {
            passwords[service.name] = try secrets.secret(named: service.databasePasswordSecretName)
        }

        let cluster = PostgresCluster(
            programs: programs, account: account, runDirectory: settings.runDirectory,
            port: settings.postgresPort, console: console
        )
        let dataDirectory = try await cluster.prepareDataDirectory()
        try await cluster.initializeIfNeeded(dataDirectory: dataDirectory, adminPassword: adminPassword)
        try Task.checkCancellation()
        let server = try group.start(cluster.serverSpecification(dataDirectory: dataDirectory))
        recorder.add(server.record)
        try await cluster.waitUntilReady(server)
        console.announce("postgres accepts connections on 127.0.0.1:\(settings.postgresPort) (data: \(dataDirectory))")

        try await PostgresProvisioning.provision(
            psql: programs.psql, port: settings.postgresPort, adminPassword: adminPassword,
            services: settings.services, passwords: passwords
        )
        let databases = ServiceRegistry.servicesWithDatabase(in: settings.services)
            .compactMap { service in service.databaseName.map { "\($0) (\(service.databaseRoleName))" } }
        console.announce("databases ready: \(databases.joined(separator: ", "))")

        let kafkaBrokers = try await KafkaBroker.start(runDirectory: settings.runDirectory, group: group, recorder: recorder, console: console)
        var redisEntries: [EnvironmentFile.Entry] = []
        for instance in [RedisServer.cache(settings: settings), RedisServer.cart(settings: settings)] {
            redisEntries += try await RedisServer.start(instance, secrets: secrets, group: group, recorder: recorder, console: console)
        }
        let mongoURL = try await DocumentServer.start(settings: settings, group: group, recorder: recorder, console: console)
        let mailEntries = try await MailServer.start(settings: settings, group: group, recorder: recorder, console: console)
        var environment = InfrastructureEnvironment.make(settings: settings, adminPassword: adminPassword, passwords: passwords)
        environment.entries += [
            EnvironmentFile.Entry(key: KafkaBroker.brokersKey, value: kafkaBrokers),
            EnvironmentFile.Entry(key: KafkaBroker.testBrokersKey, value: kafkaBrokers),
            EnvironmentFile.Entry(key: DocumentServer.testURLKey, value: mongoURL),
        ] + redisEntries + mailEntries
        try FileSystem.writeAtomically(
            environment.rendered(comment: "Written by `bazaar \(mode.subcommand)`; contains passwords. Load with: set -a; . ./infra.env; set +a"),
            to: settings.runDirectory.environmentFile, mode: 0o600
        )
        return environment
    }

    private func startServices(environment: EnvironmentFile) async throws {
        let productsDirectory = ExecutableLocator.productsDirectory()
        let secrets = SecretStore(directory: settings.runDirectory.secretsDirectory)
        let administratorPassword = try secrets.secret(named: ServiceEnvironment.administratorPasswordSecretName)
        // Created here, before any service starts, because two services read it.
        _ = try secrets.secret(named: ServiceEnvironment.eventSealingKeySecretName, length: 64)
        // The secret the payment provider signs webhooks with (the simulated one, locally).
        _ = try secrets.secret(named: ServiceEnvironment.paymentWebhookSecretName, length: 48)
        var started: [SupervisedProcess] = []
        for service in settings.services {
            guard let executableName = service.executableName else {
                let provisioned = service.databaseName == nil ? "its gateway route is" : "its database and gateway route are"
                console.announce("\(service.name): no executable yet, so not started; \(provisioned) ready (the route answers 503)")
                continue
            }
            let path = "\(productsDirectory)/\(executableName)"
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw RuntimeError.missingServiceExecutable(service: service.name, path: path)
            }
            // Replicas run the same executable with the same settings but their port: they share
            // their consumer groups' partitions and the gateway spreads requests over them.
            for instance in settings.instances(of: service) {
                try Task.checkCancellation()
                let process = try group.start(ProcessSpecification(
                    name: instance.name, kind: .service, executable: path, arguments: [],
                    environment: ServiceEnvironment.variables(for: service.movingPort(to: instance.port), settings: settings,
                                                              infrastructure: environment, administratorPassword: administratorPassword),
                    port: instance.port
                ))
                recorder.add(process.record)
                started.append(process)
            }
        }
        for process in started {
            try await waitForHTTP(process, path: "/health/live", timeout: .seconds(60))
        }
    }

    /// Starts the health checker, then nginx in front of it; the gateway is ready when it answers
    /// `GET /health/live` itself (its `/health` is 503 while any service is not ready yet).
    private func startGateway() async throws {
        let nginx = try Gateway.locateNginx()
        let account = try SystemAccount.gateway()
        let healthExecutable = "\(ExecutableLocator.productsDirectory())/\(Gateway.healthExecutableName)"
        guard FileManager.default.isExecutableFile(atPath: healthExecutable) else {
            throw RuntimeError.missingServiceExecutable(service: Gateway.healthProcessName, path: healthExecutable)
        }
        let directory = try await Gateway.prepareDirectory(settings: settings, account: account, console: console)
        let healthPort = try Gateway.freeLoopbackPort()
        let configuration = Gateway.configuration(for: settings, healthPort: healthPort, directory: directory)
        try Gateway.writeFiles(for: configuration)
        try await Gateway.validate(configuration, nginx: nginx)
        try Task.checkCancellation()
        let checker = try group.start(Gateway.healthSpecification(
            executable: healthExecutable, port: healthPort, services: Gateway.checkedServices(settings), account: account
        ))
        recorder.add(checker.record)
        try await waitForHTTP(checker, path: "/health/live", timeout: .seconds(20))
        let process = try group.start(Gateway.specification(for: configuration, nginx: nginx))
        recorder.add(process.record)
        try await waitForHTTP(process, path: "/health/live", timeout: .seconds(20))
    }

    /// Waits until `process` answers 200 to `GET path` on its port; fails early if it exits.
    private func waitForHTTP(_ process: SupervisedProcess, path: String, timeout: Duration) async throws {
        guard let port = process.specification.port else { return }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            try Task.checkCancellation()
            guard process.isRunning else { throw await process.unexpectedExitError() }
            if await HealthProbe.httpStatus(port: port, path: path) == 200 {
                console.announce("\(process.specification.name) is ready on 127.0.0.1:\(port)")
                return
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw RuntimeError.notReady(
            name: process.specification.name, seconds: Int(timeout.components.seconds), recentOutput: process.recentOutput
        )
    }
}
