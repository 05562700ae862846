import Dispatch
public import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A MongoDB-wire server of a test's own (SecantusDB from the project's `.venv`), for tests that
/// stop and restart the server or need a different topology, which the shared server must not
/// suffer.
///
/// It listens on a free loopback port with its own storage directory, and ``stop()`` then
/// ``start()`` bring it back on the same port with the same data. The directory is removed
/// when the value goes away.
public final class PrivateMongo: Sendable {
    /// The loopback port it listens on.
    public let port: Int
    /// Its WiredTiger storage directory.
    public let storagePath: URL
    /// Whether it presents itself as a standalone server instead of a one-member replica set.
    public let isStandalone: Bool
    private let process = Mutex<Process?>(nil)

    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Starts a server and waits until it accepts connections (blocking the calling thread for
    /// a second or two; async tests use ``launch(standalone:)``).
    /// - Parameter standalone: Present a standalone server (as a single `mongod` without
    ///   `--replSet` does), on which drivers refuse transactions.
    public init(standalone: Bool = false) throws {
        self.port = try LoopbackPort.free()
        self.storagePath = FileManager.default.temporaryDirectory.appendingPathComponent("private-mongo-\(UUID().uuidString)")
        self.isStandalone = standalone
        try FileManager.default.createDirectory(at: storagePath, withIntermediateDirectories: true)
        try startBlocking()
    }

    /// Starts a server on a thread of its own, so the waiting does not hold a thread of Swift's
    /// cooperative pool that other tests run on.
    public static func launch(standalone: Bool = false) async throws -> PrivateMongo {
        try await offThePool { try PrivateMongo(standalone: standalone) }
    }

    /// Starts the server again on the same port and storage; returns once it accepts connections.
    public func start() async throws {
        try await offThePool { try self.startBlocking() }
    }

    /// Stops the server and waits until it exited.
    public func stop() async {
        await offThePool { self.stopBlocking() }
    }


    /// A connection string for it; `options` are appended as the query, e.g.
    /// `retryWrites=false&serverSelectionTimeoutMS=2000`.
    public func url(database: String = "", options: String = "retryWrites=false") -> String {
        "mongodb://127.0.0.1:\(port)/\(database)" + (options.isEmpty ? "" : "?\(options)")
    }

    /// Starts the server process and waits until it accepts connections.
    private func startBlocking() throws {
        let executable = TestInfrastructure.repositoryRoot.appendingPathComponent(".venv/bin/secantusd-py")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw StartFailure(description: "\(executable.path) is missing: run `make deps` (or `.venv/bin/pip install -r requirements-dev.txt`)")
        }
        let logFile = storagePath.appendingPathComponent("server.log")
        if !FileManager.default.fileExists(atPath: logFile.path) {
            _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        }
        let log = try FileHandle(forWritingTo: logFile)
        log.seekToEndOfFile()
        let server = Process()
        server.executableURL = executable
        server.arguments = ["--host", "127.0.0.1", "--port", String(port), "--storage-path", storagePath.appendingPathComponent("data").path,
                            "--log-level", "WARNING"] + (isStandalone ? ["--standalone"] : [])
        server.standardOutput = log
        server.standardError = log
        try ChildProcess.launch(server)
        process.withLock { $0 = server }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if Self.acceptsConnections(port: port) { return }
            guard server.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        stopBlocking()
        let output = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        throw StartFailure(description: "SecantusDB did not accept connections on port \(port) within 30 s:\n\(output.suffix(2000))")
    }

    /// Stops the server (SIGTERM, then SIGKILL after 10 s) and waits until it exited.
    private func stopBlocking() {
        guard let server = process.withLock({ process in defer { process = nil }; return process }) else { return }
        guard server.isRunning else { return }
        server.terminate()
        let deadline = Date().addingTimeInterval(10)
        while server.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if server.isRunning { kill(server.processIdentifier, SIGKILL) }
        server.waitUntilExit()
    }

    /// Never waits (a deinit may run on one of Swift's cooperative threads): a server a test
    /// did not stop is killed, and its folder removed.
    deinit {
        if let server = process.withLock({ $0 }), server.isRunning { kill(server.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: storagePath)
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    static func acceptsConnections(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = loopbackAddress(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return connected == 0
    }

    private static func loopbackAddress(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}
