import ArgumentParser
import BazaarContracts
import Dispatch
import Foundation

/// `bazaar-broker`: a Kafka-protocol broker for development and tests, without a JVM or Docker.
///
/// It hosts librdkafka's mock cluster in this process, creates every topic of
/// `TopicCatalog.all` (with `--topic-prefix` in front of each name) with its partition count
/// and a replication factor of `min(brokers, 3)`, then prints one line
/// `BOOTSTRAP=host:port[,host:port]` on standard output and, with `--bootstrap-file`, writes
/// the same bootstrap string (without a trailing newline) to that file once every topic exists,
/// so the file's appearance means "ready". Progress goes to standard error. SIGTERM or SIGINT
/// stops the cluster, removes the bootstrap file and exits 0.
///
/// Known limits of the mock cluster (librdkafka 2.0):
/// - Everything is in memory: topics, messages and committed offsets are gone when it exits.
/// - A topic nobody created is auto-created on first use with 4 partitions (tests rely on this
///   for their throw-away topics; production topics come from the catalog).
/// - Transactions are accepted but there is no read-committed isolation.
/// - The first join of a consumer group waits about 3 s (the initial rebalance delay), so
///   consumer tests take at least that long.
/// - Clients should use `session.timeout.ms` ≥ 4000 and, in tests, `fetch.wait.max.ms` ≈ 10
///   so fetches do not linger.
/// - The Admin API (CreateTopics and friends) is not supported; listeners pick free loopback
///   ports at start, so read the address from the output or the bootstrap file.
@main
struct BrokerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bazaar-broker",
        abstract: "Run librdkafka's in-memory mock Kafka cluster with Bazaar's topics.",
        discussion: """
            Prints BOOTSTRAP=host:port[,host:port] on stdout when ready. In memory only; \
            unknown topics are auto-created with 4 partitions. Stop it with SIGTERM or Ctrl-C.
            """
    )

    @Option(name: .long, help: "Number of brokers in the cluster.")
    var brokers: Int = 1

    @Option(name: .long, help: "Prefix put in front of every catalog topic name (e.g. 'test.').")
    var topicPrefix: String = ""

    @Option(name: .long, help: "Write the bootstrap servers to this file once every topic exists.")
    var bootstrapFile: String?

    func validate() throws {
        guard brokers >= 1 else { throw ValidationError("--brokers must be at least 1") }
    }

    func run() throws {
        // Ignore the default actions first so a signal arriving during start-up cannot kill us
        // before the dispatch sources below are listening. On Linux those sources read a
        // signalfd, which only sees signals every thread blocks, so block them here, before
        // librdkafka starts its threads (which inherit the mask); otherwise a signal delivered to
        // one of those threads would just be ignored.
        // SIGUSR1/SIGUSR2 take the brokers down and up again, for failure tests.
        let handledSignals: [Int32] = [SIGTERM, SIGINT, SIGUSR1, SIGUSR2]
        var blocked = sigset_t()
        sigemptyset(&blocked)
        for signalNumber in handledSignals {
            signal(signalNumber, SIG_IGN)
            sigaddset(&blocked, signalNumber)
        }
        pthread_sigmask(SIG_BLOCK, &blocked, nil)

        let cluster = try MockCluster(brokerCount: brokers)
        let replicationFactor = cluster.replicationFactor
        for topic in TopicCatalog.all {
            let name = topic.name(prefix: topicPrefix)
            try cluster.createTopic(named: name, partitions: topic.partitions, replicationFactor: replicationFactor)
            log("created topic \(name) (\(topic.partitions) partitions, replication factor \(replicationFactor))")
        }

        if let bootstrapFile {
            try cluster.bootstrapServers.write(toFile: bootstrapFile, atomically: true, encoding: .utf8)
            log("wrote bootstrap servers to \(bootstrapFile)")
        }
        // Written straight to the file descriptor, unbuffered: whoever started us reads it now.
        FileHandle.standardOutput.write(Data("BOOTSTRAP=\(cluster.bootstrapServers)\n".utf8))
        log("mock cluster of \(brokers) broker(s) listening on \(cluster.bootstrapServers); SIGTERM or Ctrl-C stops it, "
            + "SIGUSR1 takes the brokers down, SIGUSR2 brings them back")

        let bootstrapFile = self.bootstrapFile
        let availability = ([(SIGUSR1, false), (SIGUSR2, true)] as [(Int32, Bool)]).map { signalNumber, available in
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .main)
            source.setEventHandler {
                do {
                    try cluster.setAvailable(available)
                    log(available ? "brokers are up again" : "brokers are down (SIGUSR2 brings them back)")
                } catch {
                    log("could not change broker availability: \(error)")
                }
            }
            source.resume()
            return source
        }
        let sources = availability + ([SIGTERM, SIGINT] as [Int32]).map { signalNumber in
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .main)
            source.setEventHandler {
                log("received signal \(signalNumber), stopping")
                cluster.shutdown()
                if let bootstrapFile {
                    try? FileManager.default.removeItem(atPath: bootstrapFile)
                }
                Foundation.exit(0)
            }
            source.resume()
            return source
        }
        // The sources must stay alive while the main queue waits for them.
        withExtendedLifetime(sources) {
            dispatchMain()
        }
    }
}

/// Writes one progress line to standard error, keeping standard output for the bootstrap line.
func log(_ message: String) {
    FileHandle.standardError.write(Data("bazaar-broker: \(message)\n".utf8))
}
