import BazaarRuntime
import BazaarTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the built `bazaar` binary for real: a private Postgres cluster in a fresh run directory,
/// connections to every service database with the credentials from `infra.env`, and a clean stop.
@Suite("bazaar launcher, end to end", .serialized)
struct LauncherIntegrationTests {
    @Test("infra --detach provisions every database, and down leaves no process behind", .timeLimit(.minutes(5)))
    func infrastructureStartsAndStops() async throws {
        let launcher = try LauncherBinary.locate()
        let psql = try TestTools.require("psql", debianPackage: "postgresql-client")
        let runDirectory = try TemporaryDirectory.create(prefix: "bazaar-launcher-test")
        let port = try LoopbackPort.free()
        let common = ["--run-dir", runDirectory.path, "--postgres-port", String(port),
                      "--redis-port", String(try LoopbackPort.free()), "--cart-redis-port", String(try LoopbackPort.free()), "--mongo-port", String(try LoopbackPort.free()),
                      "--smtp-port", String(try LoopbackPort.free())]
        var failure: (any Error)?
        do {
            try await exercise(launcher: launcher, psql: psql, runDirectory: runDirectory, common: common)
        } catch {
            failure = error
        }
        // Idempotent: stops whatever a failed step left running, says "nothing is running" otherwise.
        _ = try? await TestProcess.run(launcher, ["down"] + common)
        runDirectory.remove()
        if let failure { throw failure }
    }

    @Test(
        "as root, a run directory the postgres user cannot reach keeps its cluster in /tmp",
        .enabled(if: geteuid() == 0, "only root runs Postgres as another user"), .timeLimit(.minutes(5))
    )
    func unreachableRunDirectoryFallsBackToTemporaryData() async throws {
        let launcher = try LauncherBinary.locate()
        let psql = try TestTools.require("psql", debianPackage: "postgresql-client")
        let runDirectory = try TemporaryDirectory.create(prefix: "bazaar-private-run")
        chmod(runDirectory.path, 0o700)
        let common = ["--run-dir", runDirectory.path, "--postgres-port", String(try LoopbackPort.free()),
                      "--redis-port", String(try LoopbackPort.free()), "--cart-redis-port", String(try LoopbackPort.free()), "--mongo-port", String(try LoopbackPort.free()),
                      "--smtp-port", String(try LoopbackPort.free())]
        let locationFile = RunDirectory(path: runDirectory.path).postgresDataLocationFile.path(percentEncoded: false)
        var failure: (any Error)?
        do {
            let start = try await TestProcess.run(launcher, ["infra", "--detach"] + common)
            try #require(start.status == 0, "bazaar infra --detach failed:\n\(start.output)")
            let dataDirectory = try String(contentsOfFile: locationFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(dataDirectory.hasPrefix("/tmp/bazaar-postgres-"), "\(dataDirectory)")
            let environment = try EnvironmentFile.parse(
                String(contentsOfFile: RunDirectory(path: runDirectory.path).environmentFile.path(percentEncoded: false), encoding: .utf8)
            )
            let url = try #require(environment["ORDER_DATABASE_URL"])
            let answer = try await TestProcess.run(psql, [url, "-Atc", "select current_database()"])
            #expect(answer.output.trimmingCharacters(in: .whitespacesAndNewlines) == "orders", "\(answer.output)")
            let down = try await TestProcess.run(launcher, ["down"] + common)
            #expect(down.status == 0, "\(down.output)")
            #expect(liveProcesses(mentioning: dataDirectory) == [])
        } catch {
            failure = error
        }
        _ = try? await TestProcess.run(launcher, ["down"] + common)
        if let dataDirectory = try? String(contentsOfFile: locationFile, encoding: .utf8) {
            // The data lives outside the run directory: remove its /tmp folder too.
            let folder = (dataDirectory.trimmingCharacters(in: .whitespacesAndNewlines) as NSString).deletingLastPathComponent
            if folder.hasPrefix("/tmp/bazaar-postgres-") { try? FileManager.default.removeItem(atPath: folder) }
        }
        runDirectory.remove()
        if let failure { throw failure }
    }

    private func exercise(launcher: String, psql: String, runDirectory: TemporaryDirectory, common: [String]) async throws {
        let start = try await TestProcess.run(launcher, ["infra", "--detach"] + common)
        try #require(start.status == 0, "bazaar infra --detach failed:\n\(start.output)")
        #expect(start.output.contains("BAZAAR_POSTGRES_ADMIN_URL="), "the summary prints infra.env:\n\(start.output)")

        let settings = RunDirectory(path: runDirectory.path)
        let environmentPath = settings.environmentFile.path(percentEncoded: false)
        let attributes = try FileManager.default.attributesOfItem(atPath: environmentPath)
        #expect((attributes[.posixPermissions] as? Int) == 0o600, "infra.env must be private")
        // The log holds what services print at start-up (the first administrator's password among it).
        let logs = try FileManager.default.attributesOfItem(atPath: settings.logsDirectory.path(percentEncoded: false))
        #expect((logs[.posixPermissions] as? Int) == 0o700, "the log folder must be private")
        let log = try FileManager.default.attributesOfItem(atPath: settings.launcherLog.path(percentEncoded: false))
        #expect((log[.posixPermissions] as? Int) == 0o600, "the launcher's log must be private")
        let environment = try EnvironmentFile.parse(String(contentsOfFile: environmentPath, encoding: .utf8))
        #expect(environment["BAZAAR_RUN_DIR"] == settings.path)

        let admin = try #require(environment["BAZAAR_POSTGRES_ADMIN_URL"])
        let adminAnswer = try await TestProcess.run(psql, [admin, "-Atc", "select current_database(), current_user"])
        #expect(adminAnswer.output.trimmingCharacters(in: .whitespacesAndNewlines) == "postgres|bazaar", "\(adminAnswer.output)")

        for service in ServiceRegistry.servicesWithDatabase() {
            let url = try #require(environment[service.databaseURLKey], "infra.env lacks \(service.databaseURLKey)")
            let answer = try await TestProcess.run(psql, [url, "-Atc", "select current_database(), current_user"])
            #expect(answer.status == 0, "\(service.name): \(answer.output)")
            let expected = "\(service.databaseName ?? "")|\(service.databaseRoleName)"
            #expect(answer.output.trimmingCharacters(in: .whitespacesAndNewlines) == expected, "\(service.name): \(answer.output)")
        }

        // The Kafka dev broker answers metadata requests and has every topic with its partitions.
        let brokers = try #require(environment["KAFKA_BROKERS"], "infra.env lacks KAFKA_BROKERS")
        #expect(environment["BAZAAR_KAFKA_BROKERS"] == brokers)
        let kcat = try TestTools.require("kcat", debianPackage: "kcat")
        let metadata = try await TestProcess.run(kcat, ["-b", brokers, "-L", "-J", "-m", "10"])
        #expect(metadata.status == 0, "kcat -L failed: \(metadata.output)")
        let topics = try TopicMetadata.partitionCounts(fromKcatJSON: metadata.output)
        #expect(topics["orders"] == 6 && topics["orders.dlq"] == 1 && topics["payments"] == 6, "\(topics)")

        // redis-server answers with the generated password from infra.env; without it, it refuses.
        let redisURL = try #require(environment["REDIS_URL"], "infra.env lacks REDIS_URL")
        #expect(environment["BAZAAR_REDIS_URL"] == redisURL)
        let redisCLI = try TestTools.require("redis-cli", debianPackage: "redis-tools")
        let redisComponents = try #require(URLComponents(string: redisURL))
        let port = try #require(redisComponents.port)
        let password = try #require(redisComponents.password?.removingPercentEncoding)
        let pong = try await TestProcess.run(redisCLI, ["-h", "127.0.0.1", "-p", String(port), "-a", password, "--no-auth-warning", "ping"])
        #expect(pong.output.contains("PONG"), "\(pong.output)")
        let refused = try await TestProcess.run(redisCLI, ["-p", String(port), "ping"])
        #expect(refused.output.contains("NOAUTH"), "\(refused.output)")

        // Each store has its own redis-server: the cache is bounded and evicts, the cart store
        // persists every write and never evicts.
        let cartURL = try #require(environment["CART_REDIS_URL"], "infra.env lacks CART_REDIS_URL")
        #expect(environment["BAZAAR_CART_REDIS_URL"] == cartURL)
        #expect(cartURL != redisURL)
        func configuration(_ url: String, _ name: String) async throws -> String {
            let components = try #require(URLComponents(string: url))
            let answer = try await TestProcess.run(
                redisCLI, ["-h", "127.0.0.1", "-p", String(try #require(components.port)), "--no-auth-warning", "config", "get", name],
                environment: ["REDISCLI_AUTH": try #require(components.password?.removingPercentEncoding)]
            )
            #expect(answer.status == 0, "\(answer.output)")
            let lines = answer.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            return lines.count == 2 && lines[0] == name ? lines[1] : answer.output
        }
        #expect(try await configuration(redisURL, "maxmemory-policy") == "allkeys-lru")
        #expect(try await configuration(redisURL, "maxmemory") == String(64 * 1024 * 1024))
        #expect(try await configuration(cartURL, "maxmemory-policy") == "noeviction")
        #expect(try await configuration(cartURL, "appendonly") == "yes")
        #expect(try await configuration(cartURL, "appendfsync") == "always")
        #expect(try await configuration(cartURL, "dir") == settings.path + "/cart-redis")

        // The MongoDB-wire server accepts connections where infra.env says.
        let mongoURL = try #require(environment["BAZAAR_MONGODB_URL"], "infra.env lacks BAZAAR_MONGODB_URL")
        #expect(mongoURL.contains("retryWrites=false"))
        let mongoPort = try #require(URLComponents(string: mongoURL)?.port)
        #expect(!HealthProbe.isPortAvailable(mongoPort), "nothing listens on the MongoDB port \(mongoPort)")

        // The SMTP sink listens where infra.env says and writes each message into the private mail folder.
        #expect(environment["BAZAAR_SMTP_HOST"] == "127.0.0.1")
        let smtpPort = try #require(environment["BAZAAR_SMTP_PORT"].flatMap { Int($0) }, "infra.env lacks BAZAAR_SMTP_PORT")
        #expect(common.firstIndex(of: "--smtp-port").map { common[$0 + 1] } == String(smtpPort))
        let mailDirectory = try #require(environment["BAZAAR_MAIL_DIR"], "infra.env lacks BAZAAR_MAIL_DIR")
        #expect(mailDirectory == settings.path + "/mail")
        #expect((try FileManager.default.attributesOfItem(atPath: mailDirectory)[.posixPermissions] as? Int) == 0o700)
        #expect(emlFiles(in: mailDirectory).isEmpty)
        let subject = "Launcher test \(UUID().uuidString)"
        let sent = try await MailSender.send(port: smtpPort, from: "shop@bazaar.local", to: ["shopper@example.com"], subject: subject)
        #expect(sent.status == 0, "smtplib could not send through the sink:\n\(sent.output)")
        let mail = emlFiles(in: mailDirectory)
        #expect(mail.count == 1, "\(mail)")
        if let first = mail.first {
            let message = try String(contentsOfFile: mailDirectory + "/" + first, encoding: .utf8)
            #expect(message.contains("Subject: \(subject)"), "\(message)")
            #expect(message.contains("X-Bazaar-Envelope-To: shopper@example.com"), "\(message)")
        }

        let status = try await TestProcess.run(launcher, ["status"] + common)
        #expect(status.status == 0, "bazaar status:\n\(status.output)")
        #expect(status.output.contains("accepting connections"), "\(status.output)")
        #expect(status.output.split(separator: "\n").contains { $0.hasPrefix("smtp ") && $0.contains("listening") }, "\(status.output)")

        let started = try #require(try RunStateStore(runDirectory: settings).load())
        #expect(started.phase == .ready)
        #expect(started.processes.map(\.name) == ["postgres", "kafka", "redis", "cart-redis", "mongodb", "smtp"])
        #expect(started.processes.last?.port == smtpPort)
        let dataDirectory = try String(contentsOfFile: settings.postgresDataLocationFile.path(percentEncoded: false), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!liveProcesses(mentioning: dataDirectory).isEmpty, "Postgres should run on \(dataDirectory)")

        // A child that dies once the run is ready is started again, with its data: Postgres and the
        // cart store killed with SIGKILL come back under new pids (in the state file) and answer.
        let cartPassword = try #require(URLComponents(string: cartURL)?.password?.removingPercentEncoding)
        let cartPort = String(try #require(URLComponents(string: cartURL)?.port))
        func cart(_ command: [String]) async throws -> String {
            try await TestProcess.run(redisCLI, ["-h", "127.0.0.1", "-p", cartPort, "--no-auth-warning"] + command,
                                      environment: ["REDISCLI_AUTH": cartPassword]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try await cart(["set", "survives-a-crash", "yes"]) == "OK")
        let killed = started.processes.filter { ["postgres", "cart-redis"].contains($0.name) }
        for record in killed { #expect(kill(record.pid, SIGKILL) == 0) }
        let state = try await eventuallyValue("Postgres and the cart store started again") { () -> RunState? in
            guard let state = try RunStateStore(runDirectory: settings).load() else { return nil }
            let restarted = killed.allSatisfy { old in state.processes.contains { $0.name == old.name && $0.pid != old.pid } }
            return restarted ? state : nil
        }
        #expect(state.processes.map(\.name) == started.processes.map(\.name), "a restart keeps each child's place")
        try await eventually("the restarted Postgres to answer") {
            try await TestProcess.run(psql, [admin, "-Atc", "select 1"]).output.trimmingCharacters(in: .whitespacesAndNewlines) == "1"
        }
        try await eventually("the restarted cart store to hold what was written before the crash") {
            try await cart(["get", "survives-a-crash"]) == "yes"
        }
        for record in killed { #expect(!ProcessInspector.isAlive(record), "the killed \(record.name) (pid \(record.pid)) is gone") }

        let down = try await TestProcess.run(launcher, ["down"] + common)
        #expect(down.status == 0, "bazaar down failed:\n\(down.output)")
        for record in state.allProcesses {
            #expect(!ProcessInspector.isAlive(record), "\(record.name) (pid \(record.pid)) is still alive")
        }
        #expect(liveProcesses(mentioning: dataDirectory) == [])
        #expect(liveProcesses(mentioning: runDirectory.path) == [])

        let afterwards = try await TestProcess.run(launcher, ["status"] + common)
        #expect(afterwards.status == 3, "status after down should say nothing runs:\n\(afterwards.output)")
        let again = try await TestProcess.run(launcher, ["down"] + common)
        #expect(again.status == 0, "down with nothing running succeeds:\n\(again.output)")
    }
}

/// Topic partition counts from `kcat -L -J` output.
enum TopicMetadata {
    struct Metadata: Decodable {
        struct Topic: Decodable {
            let topic: String
            let partitions: [Partition]
        }
        struct Partition: Decodable {}
        let topics: [Topic]
    }

    static func partitionCounts(fromKcatJSON output: String) throws -> [String: Int] {
        // kcat may print log lines before the JSON document.
        guard let start = output.firstIndex(of: "{") else { return [:] }
        let metadata = try JSONDecoder().decode(Metadata.self, from: Data(output[start...].utf8))
        return Dictionary(metadata.topics.map { ($0.topic, $0.partitions.count) }, uniquingKeysWith: { first, _ in first })
    }
}
