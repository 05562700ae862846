import Foundation

/// A private SecantusDB (the project's `.venv/bin/secantusd-py`) on a free loopback port with a
/// temporary storage directory, removed when stopped.
final class SecantusProcess: Sendable {
    let process: Process
    let port: Int
    let storage: URL

    struct Failure: Error, CustomStringConvertible { let description: String }

    var url: String { "mongodb://127.0.0.1:\(port)/?retryWrites=false" }

    private init(process: Process, port: Int, storage: URL) {
        self.process = process
        self.port = port
        self.storage = storage
    }

    /// Starts the server and waits until it accepts connections, on a thread of its own whose
    /// signal mask is empty: the child inherits the spawning thread's blocked signals, and with
    /// SIGTERM blocked (as on Swift's and Dispatch's threads) it could not shut down cleanly.
    static func launch() async throws -> SecantusProcess {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                var nothingBlocked = sigset_t()
                sigemptyset(&nothingBlocked)
                pthread_sigmask(SIG_SETMASK, &nothingBlocked, nil)
                continuation.resume(with: Result { try start() })
            }.start()
        }
    }

    private static func start() throws -> SecantusProcess {
        let executable = repositoryRoot.appendingPathComponent(".venv/bin/secantusd-py")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw Failure(description: "\(executable.path) is missing: run `make deps`")
        }
        let storage = FileManager.default.temporaryDirectory.appendingPathComponent("bench-mongo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: storage, withIntermediateDirectories: true)
        let portFile = storage.appendingPathComponent("server.log")
        _ = FileManager.default.createFile(atPath: portFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: portFile)
        let process = Process()
        process.executableURL = executable
        // Port 0: the server picks a free port and logs it ("listening on 127.0.0.1:<port>").
        process.arguments = ["--host", "127.0.0.1", "--port", "0", "--storage-path", storage.appendingPathComponent("data").path]
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, process.isRunning {
            let text = (try? String(contentsOf: portFile, encoding: .utf8)) ?? ""
            if let range = text.range(of: "listening on 127.0.0.1:") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits) { return SecantusProcess(process: process, port: port, storage: storage) }
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.terminate()
        throw Failure(description: "SecantusDB did not start within 30 s")
    }

    /// Stops the server (SIGTERM, SIGKILL after 10 s) and removes its storage.
    func stop() {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: storage)
    }
}
