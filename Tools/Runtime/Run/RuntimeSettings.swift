public import Foundation

/// Where the local runtime keeps everything it creates, and the well-known files inside.
///
/// Layout: `state.json`, `infra.env`, `launcher.lock`, `logs/`, `secrets/`, `gateway/`, `postgres/`,
/// `redis/`, `cart-redis/`, `mongo/`, `mail/`.
public struct RunDirectory: Sendable, Hashable {
    /// Absolute, standardised location of the run directory.
    public let root: URL

    /// Resolves `path` against `baseDirectory` (the current directory by default) into an absolute location.
    public init(path: String, baseDirectory: String = FileManager.default.currentDirectoryPath) {
        let base = URL(filePath: baseDirectory, directoryHint: .isDirectory)
        root = URL(filePath: path, directoryHint: .isDirectory, relativeTo: base).standardizedFileURL.absoluteURL
    }

    /// Absolute path of the run directory, without a trailing slash.
    public var path: String { Self.path(of: root) }

    /// JSON record of the current (or last) run: launcher, children, phase.
    public var stateFile: URL { root.appending(path: "state.json") }
    /// Shell-sourceable connection settings for the infrastructure.
    public var environmentFile: URL { root.appending(path: "infra.env") }
    /// Lock held by the running launcher, so two launchers never share a run directory.
    public var lockFile: URL { root.appending(path: "launcher.lock") }
    /// Log files, notably the detached launcher's `bazaar.log`.
    public var logsDirectory: URL { root.appending(path: "logs", directoryHint: .isDirectory) }
    /// Output of a detached launcher and of everything it supervises.
    public var launcherLog: URL { logsDirectory.appending(path: "bazaar.log") }
    /// Generated passwords, one file each, mode 0600.
    public var secretsDirectory: URL { root.appending(path: "secrets", directoryHint: .isDirectory) }
    /// Generated nginx configuration, index page, pid file and temporary files.
    public var gatewayDirectory: URL { root.appending(path: "gateway", directoryHint: .isDirectory) }
    /// Parent of the Postgres data directory when the Postgres account can reach the run directory.
    public var postgresDirectory: URL { root.appending(path: "postgres", directoryHint: .isDirectory) }
    /// Records where the Postgres data directory is, since it may live outside the run directory.
    public var postgresDataLocationFile: URL { root.appending(path: "postgres-data-location") }
    /// The cache redis-server's configuration.
    public var redisDirectory: URL { root.appending(path: "redis", directoryHint: .isDirectory) }
    /// The cart store redis-server's configuration and append-only file.
    public var cartRedisDirectory: URL { root.appending(path: "cart-redis", directoryHint: .isDirectory) }
    /// The MongoDB-wire server's storage.
    public var mongoDirectory: URL { root.appending(path: "mongo", directoryHint: .isDirectory) }
    /// Where the SMTP sink writes every accepted message as an `.eml` file (mode 0700).
    public var mailDirectory: URL { root.appending(path: "mail", directoryHint: .isDirectory) }

    /// The file-system path of a file URL, without percent encoding or trailing slash.
    static func path(of url: URL) -> String {
        let path = url.path(percentEncoded: false)
        return path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }
}

/// What the user chose for this run: where to keep data and which ports to use.
public struct RuntimeSettings: Sendable {
    /// Default run directory, relative to the current directory.
    public static let defaultRunDirectory = ".run"
    /// Default local Postgres port, chosen away from 5432 so a system cluster does not clash. All default
    /// ports sit below Linux's ephemeral range (32768–60999), where an outgoing connection could hold them.
    public static let defaultPostgresPort = 15432
    /// Default gateway port.
    public static let defaultGatewayPort = 8080
    /// Default port of the local cache redis-server.
    public static let defaultRedisPort = 16379
    /// Default port of the local cart store redis-server.
    public static let defaultCartRedisPort = 16380
    /// Default port of the local MongoDB-wire server.
    public static let defaultMongoPort = 17017
    /// Default port of the local SMTP sink.
    public static let defaultSMTPPort = 2525

    /// Where data, logs, secrets and state live.
    public var runDirectory: RunDirectory
    /// Port of the private Postgres cluster, on 127.0.0.1.
    public var postgresPort: Int
    /// Port of the nginx gateway, on 127.0.0.1.
    public var gatewayPort: Int
    /// Port of the cache redis-server, on 127.0.0.1.
    public var redisPort: Int
    /// Port of the cart store redis-server, on 127.0.0.1.
    public var cartRedisPort: Int
    /// Port of the MongoDB-wire server (SecantusDB), on 127.0.0.1.
    public var mongoPort: Int
    /// Port of the SMTP sink (aiosmtpd), on 127.0.0.1.
    public var smtpPort: Int
    /// Services to provision and start; the registry unless a test narrows it.
    public var services: [ServiceDefinition]

    /// Creates settings; `services` defaults to ``ServiceRegistry/all``.
    public init(
        runDirectory: RunDirectory,
        postgresPort: Int = defaultPostgresPort,
        gatewayPort: Int = defaultGatewayPort,
        redisPort: Int = defaultRedisPort,
        cartRedisPort: Int = defaultCartRedisPort,
        mongoPort: Int = defaultMongoPort,
        smtpPort: Int = defaultSMTPPort,
        services: [ServiceDefinition] = ServiceRegistry.all
    ) {
        self.runDirectory = runDirectory
        self.postgresPort = postgresPort
        self.gatewayPort = gatewayPort
        self.redisPort = redisPort
        self.cartRedisPort = cartRedisPort
        self.mongoPort = mongoPort
        self.smtpPort = smtpPort
        self.services = services
    }

    /// Replicas per service name (`bazaar up --scale order=3`); a service not named runs once.
    public var replicas: [String: Int] = [:]

    /// Ports between one replica of a service and the next: replica `n` (from 0) of a service
    /// listens on its port + n × this (`order` on 8105, 8205, 8305).
    public static let replicaPortStep = 100
    /// The most replicas of one service the launcher runs.
    public static let maximumReplicas = 9

    /// How many processes of `service` run.
    public func replicaCount(of service: ServiceDefinition) -> Int { max(1, replicas[service.name] ?? 1) }

    /// Every process of `service`: its name (`order`, then `order-2`, ...) and port.
    public func instances(of service: ServiceDefinition) -> [(name: String, port: Int)] {
        (0..<replicaCount(of: service)).map { index in
            (index == 0 ? service.name : "\(service.name)-\(index + 1)", service.port + index * Self.replicaPortStep)
        }
    }

    /// `--scale` values (`order=3`) as replica counts; a problem names the value and what is allowed.
    public static func replicas(from values: [String], services: [ServiceDefinition] = ServiceRegistry.all) throws -> [String: Int] {
        var replicas: [String: Int] = [:]
        for value in values {
            let parts = value.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let count = Int(parts[1]), (1...maximumReplicas).contains(count) else {
                throw RuntimeError.invalidScale(value: value, problem: "expected <service>=<1...\(maximumReplicas)>")
            }
            guard services.contains(where: { $0.name == parts[0] }) else {
                throw RuntimeError.invalidScale(value: value, problem: "no service \(parts[0]); services: \(services.map(\.name).joined(separator: ", "))")
            }
            replicas[parts[0]] = count
        }
        return replicas
    }

    /// How far the services' ports are moved from the registry's (`--service-port-offset`).
    public var servicePortOffset: Int {
        guard let service = services.first, let registered = ServiceRegistry.service(named: service.name) else { return 0 }
        return service.port - registered.port
    }

    /// The URL a browser uses to reach the gateway.
    public var gatewayURL: String { "http://localhost:\(gatewayPort)" }
}

/// Which part of the platform a launcher runs.
public enum RuntimeMode: String, Codable, Sendable {
    /// Infrastructure, every built service and the gateway (`bazaar up`).
    case full
    /// Infrastructure only (`bazaar infra`), for running services from an IDE or tests.
    case infrastructure

    /// The subcommand that starts this mode.
    public var subcommand: String {
        switch self {
        case .full: "up"
        case .infrastructure: "infra"
        }
    }
}
