import Foundation

/// The local redis-server as a supervised child: configuration, append-only file and a
/// generated password under the run directory, bound to 127.0.0.1 only.
enum RedisServer {
    static let processName = "redis"
    /// What services read (`REDIS_URL`) and what tests read (`BAZAAR_REDIS_URL`).
    static let urlKey = "REDIS_URL"
    static let testURLKey = "BAZAAR_REDIS_URL"
    static let passwordSecretName = "redis-password"

    /// Starts redis-server and returns its URL once it answers `PING`.
    static func start(settings: RuntimeSettings, secrets: SecretStore, group: ProcessGroup, recorder: RunStateRecorder,
                      console: ConsoleOutput) async throws -> String {
        let server = try ExecutableLocator.require("redis-server", debianPackage: "redis-server")
        let client = try ExecutableLocator.require("redis-cli", debianPackage: "redis-tools")
        let password = try secrets.secret(named: passwordSecretName)
        let directory = settings.runDirectory.redisDirectory
        let configuration = directory.appending(path: "redis.conf")
        // The password is in the configuration file (mode 0600), never on a command line.
        let text = """
            # Written by bazaar; regenerated at every start.
            bind 127.0.0.1
            port \(settings.redisPort)
            protected-mode yes
            requirepass \(password)
            dir \(directory.path(percentEncoded: false))
            appendonly yes
            save ""
            daemonize no
            logfile ""

            """
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try FileSystem.writeAtomically(text, to: configuration, mode: 0o600)
        } catch let error as RuntimeError {
            throw error
        } catch {
            throw RuntimeError.fileProblem(path: directory.path(percentEncoded: false), reason: "\(error)")
        }
        let process = try group.start(ProcessSpecification(
            name: processName, kind: .infrastructure, executable: server,
            arguments: [configuration.path(percentEncoded: false)], port: settings.redisPort
        ))
        recorder.add(process.record)
        try await process.waitUntilReady(seconds: 20) {
            let answer = try await CommandRunner.run(client, ["-h", "127.0.0.1", "-p", String(settings.redisPort), "--no-auth-warning", "ping"],
                                                     environment: ["REDISCLI_AUTH": password])
            return answer.output.contains("PONG") ? () : nil
        }
        console.announce("redis accepts connections on 127.0.0.1:\(settings.redisPort)")
        return url(password: password, port: settings.redisPort)
    }

    static func url(password: String, port: Int) -> String {
        let encoded = password.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? password
        return "redis://:\(encoded)@127.0.0.1:\(port)/0"
    }
}
