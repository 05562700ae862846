import Foundation

/// The Kafka-protocol dev broker: `bazaar-broker` (librdkafka's mock cluster, built with the
/// package) as a supervised child. It creates every Bazaar topic at start and writes its
/// bootstrap address to a file, which is how the launcher learns where it listens.
enum KafkaBroker {
    static let processName = "kafka"
    /// What services read (`KAFKA_BROKERS`) and what tests read (`BAZAAR_KAFKA_BROKERS`).
    static let brokersKey = "KAFKA_BROKERS"
    static let testBrokersKey = "BAZAAR_KAFKA_BROKERS"
    static let executableName = "bazaar-broker"

    /// Starts the broker and returns its bootstrap servers once it is ready.
    static func start(runDirectory: RunDirectory, group: ProcessGroup, recorder: RunStateRecorder,
                      console: ConsoleOutput) async throws -> String {
        let executable = "\(ExecutableLocator.productsDirectory())/\(executableName)"
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw RuntimeError.missingServiceExecutable(service: "Kafka dev broker", path: executable)
        }
        let folder = runDirectory.root.appending(path: "kafka", directoryHint: .isDirectory)
        let bootstrapFile = folder.appending(path: "bootstrap")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            if FileManager.default.fileExists(atPath: bootstrapFile.path) {
                try FileManager.default.removeItem(at: bootstrapFile)
            }
        } catch {
            throw RuntimeError.fileProblem(path: folder.path, reason: "\(error)")
        }
        let process = try group.start(ProcessSpecification(
            name: processName, kind: .infrastructure, executable: executable,
            arguments: ["--bootstrap-file", bootstrapFile.path], restartsAfterCrash: false
        ))
        recorder.add(process.record)
        let servers: String = try await process.waitUntilReady(seconds: 20) {
            // Written by the broker once it listens; absent (or empty) until then.
            let text = (try? String(contentsOf: bootstrapFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            return text?.isEmpty == false ? text : nil
        }
        console.announce("kafka dev broker ready on \(servers) (in memory: its topics and messages end with the run)")
        return servers
    }
}
