public import Foundation

/// A redis-server of a test's own on a free loopback port, for tests that stop and restart Redis,
/// which the shared test server must not suffer, or that need a store of their own. Nothing is
/// persisted (`--save ''`, `--appendonly no`) unless `durable`: then it runs as the cart store
/// does (`appendonly yes`, `appendfsync always`, `noeviction`) with its data in a directory of
/// its own, so a ``stop()`` (SIGKILL) and ``start()`` keep every acknowledged write.
/// ``stop()`` and ``start()`` keep the port, so clients can reconnect.
public final class PrivateRedis: @unchecked Sendable {
    // `@unchecked Sendable`: `process` is only touched under `lock`.

    /// The loopback port the server listens on.
    public let port: Int
    private let executable: URL
    /// The data directory of a durable server (removed by ``remove()``); nil when nothing is persisted.
    public let dataDirectory: URL?
    private let lock = NSLock()
    private var process: Process?

    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// `redis://127.0.0.1:<port>/0`.
    public var url: String { "redis://127.0.0.1:\(port)/0" }

    private init(durable: Bool) throws {
        self.executable = try Self.locateServer()
        self.port = try LoopbackPort.free()
        if durable {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bazaar-redis-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            dataDirectory = directory
        } else {
            dataDirectory = nil
        }
    }

    /// Starts a server on a free port and returns once it answers `PING`. The waiting happens
    /// off Swift's cooperative pool (see `offThePool`).
    public static func launch(durable: Bool = false) async throws -> PrivateRedis {
        let server = try PrivateRedis(durable: durable)
        try await server.start()
        return server
    }

    /// Stops the server and deletes a durable server's data.
    public func remove() async {
        await stop()
        if let dataDirectory { try? FileManager.default.removeItem(at: dataDirectory) }
    }

    /// Never waits (a deinit may run on one of Swift's cooperative threads): a server a test
    /// did not stop is killed.
    deinit {
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Starts the server (again) on ``port`` and returns once it answers `PING`; does nothing when running.
    public func start() async throws {
        try await offThePool { try self.startBlocking() }
    }

    /// Stops the server abruptly, as a crash or a lost host would, and returns once it has exited.
    ///
    /// SIGKILL, so the server gets no chance to say goodbye to its clients. Nothing is persisted,
    /// so nothing is lost.
    public func stop() async {
        await offThePool { self.stopBlocking() }
    }

    private func startBlocking() throws {
        lock.lock()
        defer { lock.unlock() }
        if let process, process.isRunning { return }
        let process = Process()
        process.executableURL = executable
        let persistence = dataDirectory.map { ["--appendonly", "yes", "--appendfsync", "always", "--maxmemory-policy", "noeviction", "--dir", $0.path] }
            ?? ["--appendonly", "no", "--dir", FileManager.default.temporaryDirectory.path]
        process.arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--daemonize", "no", "--loglevel", "warning"] + persistence
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try ChildProcess.launch(process)
        self.process = process
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if Self.answersPing(port: port) { return }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
        throw StartFailure(description: "redis-server did not answer PING on port \(port) within 10 s")
    }

    private func stopBlocking() {
        lock.lock()
        defer { lock.unlock() }
        guard let process else { return }
        self.process = nil
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// `redis-server` from `PATH`, or the usual install locations.
    static func locateServer() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin", "/usr/sbin"]
        for directory in directories {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent("redis-server")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw StartFailure(description: "redis-server is not installed (apt-get install redis-server)")
    }

    /// Whether a server on `port` answers `PING` with `+PONG` within half a second.
    static func answersPing(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 0, tv_usec: 500_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return false }
        let ping = Array("PING\r\n".utf8)
        guard send(descriptor, ping, ping.count, Int32(MSG_NOSIGNAL)) == ping.count else { return false }
        var reply = [UInt8](repeating: 0, count: 16)
        let count = recv(descriptor, &reply, reply.count, 0)
        return count >= 5 && String(decoding: reply.prefix(5), as: UTF8.self) == "+PONG"
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}
