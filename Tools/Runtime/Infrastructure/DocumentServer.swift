import Foundation

/// The local MongoDB-wire server: SecantusDB from the project's Python venv (no `mongod` is
/// installable here; docker compose and Kubernetes use real MongoDB), with its storage under
/// the run directory.
enum DocumentServer {
    static let processName = "mongodb"
    /// The server URL for tests (`BAZAAR_MONGODB_URL`); services get `MONGODB_URL` naming their database.
    static let testURLKey = "BAZAAR_MONGODB_URL"
    static let urlKey = "MONGODB_URL"

    /// Starts SecantusDB and returns its URL (without a database) once it accepts connections.
    static func start(settings: RuntimeSettings, group: ProcessGroup, recorder: RunStateRecorder, console: ConsoleOutput) async throws -> String {
        let executable = try locate()
        let storage = settings.runDirectory.mongoDirectory
        do {
            try FileManager.default.createDirectory(at: storage, withIntermediateDirectories: true)
        } catch {
            throw RuntimeError.fileProblem(path: storage.path(percentEncoded: false), reason: "\(error)")
        }
        let process = try group.start(ProcessSpecification(
            name: processName, kind: .infrastructure, executable: executable,
            arguments: ["--host", "127.0.0.1", "--port", String(settings.mongoPort), "--storage-path", storage.path(percentEncoded: false)],
            port: settings.mongoPort
        ))
        recorder.add(process.record)
        try await process.waitUntilReady(seconds: 30) { HealthProbe.isPortAvailable(settings.mongoPort) ? nil : () }
        console.announce("mongodb (SecantusDB) accepts connections on 127.0.0.1:\(settings.mongoPort) (data: \(storage.path(percentEncoded: false)))")
        return url(port: settings.mongoPort, database: nil)
    }

    /// `retryWrites=false`: with retryable writes this server slows down sharply after ~10,000
    /// writes; `serverSelectionTimeoutMS=5000` makes requests fail fast while it is down.
    static func url(port: Int, database: String?) -> String {
        "mongodb://127.0.0.1:\(port)/\(database ?? "")?retryWrites=false&serverSelectionTimeoutMS=5000"
    }

    /// `secantusd-py` in the project's `.venv` (installed by `make deps`), in the current folder
    /// or the repository the running `bazaar` was built in.
    static func locate() throws -> String {
        let tool = ".venv/bin/secantusd-py"
        guard let root = ExecutableLocator.repositoryRoot(containing: tool),
              FileManager.default.isExecutableFile(atPath: root.appending(path: tool).path(percentEncoded: false))
        else { throw RuntimeError.missingVenvTool(name: "secantusd-py") }
        return root.appending(path: tool).path(percentEncoded: false)
    }
}
