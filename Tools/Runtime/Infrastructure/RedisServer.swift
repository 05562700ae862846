import Foundation

/// The local redis-server instances as supervised children: configuration, data and a generated
/// password under the run directory, bound to 127.0.0.1 only.
///
/// Each store has its own instance, because a cache and a store want opposite settings: the
/// response cache (what services get as `REDIS_URL`) is bounded and evicts the least recently used
/// keys, while the cart store (carts must never be evicted or lost) refuses writes when full and
/// writes every command to its append-only file before answering.
enum RedisServer {
    /// One redis-server instance.
    struct Instance: Sendable {
        /// Supervised process name and output prefix.
        var processName: String
        /// What it is, for messages.
        var purpose: String
        var port: Int
        /// Its configuration and data folder.
        var directory: URL
        var passwordSecretName: String
        /// Settings beyond the common ones, as `redis.conf` lines.
        var settings: [String]
        /// The `infra.env` keys holding its URL: what services read, what tests read.
        var urlKeys: [String]
    }

    /// What services read (`REDIS_URL`) and what tests read (`BAZAAR_REDIS_URL`): the cache.
    static let urlKey = "REDIS_URL"
    static let testURLKey = "BAZAAR_REDIS_URL"
    /// The cart store's URL in `infra.env` (the cart service gets it as its `REDIS_URL`).
    static let cartURLKey = "CART_REDIS_URL"
    static let cartTestURLKey = "BAZAAR_CART_REDIS_URL"
    /// Upper bound of the cache's memory.
    static let cacheMaximumMemory = "64mb"

    /// The bounded response cache: nothing in it is precious, so no persistence and LRU eviction.
    static func cache(settings: RuntimeSettings) -> Instance {
        Instance(
            processName: "redis", purpose: "cache", port: settings.redisPort, directory: settings.runDirectory.redisDirectory,
            passwordSecretName: "redis-password",
            settings: ["maxmemory \(cacheMaximumMemory)", "maxmemory-policy allkeys-lru", "appendonly no"],
            urlKeys: [urlKey, testURLKey]
        )
    }

    /// The cart store: every write on disk before it is acknowledged, never an eviction (a full
    /// store answers errors instead of silently dropping carts).
    static func cart(settings: RuntimeSettings) -> Instance {
        Instance(
            processName: "cart-redis", purpose: "cart store", port: settings.cartRedisPort,
            directory: settings.runDirectory.cartRedisDirectory, passwordSecretName: "cart-redis-password",
            settings: ["appendonly yes", "appendfsync always", "maxmemory-policy noeviction"],
            urlKeys: [cartURLKey, cartTestURLKey]
        )
    }

    /// Starts `instance` and returns its `infra.env` entries once it answers `PING`.
    static func start(_ instance: Instance, secrets: SecretStore, group: ProcessGroup, recorder: RunStateRecorder,
                      console: ConsoleOutput) async throws -> [EnvironmentFile.Entry] {
        let server = try ExecutableLocator.require("redis-server", debianPackage: "redis-server")
        let client = try ExecutableLocator.require("redis-cli", debianPackage: "redis-tools")
        let password = try secrets.secret(named: instance.passwordSecretName)
        let configuration = instance.directory.appending(path: "redis.conf")
        // The password is in the configuration file (mode 0600), never on a command line.
        let text = """
            # Written by bazaar (\(instance.purpose)); regenerated at every start.
            bind 127.0.0.1
            port \(instance.port)
            protected-mode yes
            requirepass \(password)
            dir \(instance.directory.path(percentEncoded: false))
            save ""
            daemonize no
            logfile ""
            \(instance.settings.joined(separator: "\n"))

            """
        do {
            try FileManager.default.createDirectory(at: instance.directory, withIntermediateDirectories: true)
            try FileSystem.writeAtomically(text, to: configuration, mode: 0o600)
        } catch let error as RuntimeError {
            throw error
        } catch {
            throw RuntimeError.fileProblem(path: instance.directory.path(percentEncoded: false), reason: "\(error)")
        }
        let process = try group.start(ProcessSpecification(
            name: instance.processName, kind: .infrastructure, executable: server,
            arguments: [configuration.path(percentEncoded: false)], port: instance.port
        ))
        recorder.add(process.record)
        try await process.waitUntilReady(seconds: 20) {
            let answer = try await CommandRunner.run(client, ["-h", "127.0.0.1", "-p", String(instance.port), "--no-auth-warning", "ping"],
                                                     environment: ["REDISCLI_AUTH": password])
            return answer.output.contains("PONG") ? () : nil
        }
        console.announce("redis (\(instance.purpose)) accepts connections on 127.0.0.1:\(instance.port)")
        let address = url(password: password, port: instance.port)
        return instance.urlKeys.map { EnvironmentFile.Entry(key: $0, value: address) }
    }

    static func url(password: String, port: Int) -> String {
        let encoded = password.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? password
        return "redis://:\(encoded)@127.0.0.1:\(port)/0"
    }
}
