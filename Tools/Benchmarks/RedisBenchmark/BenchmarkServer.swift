import BazaarRedis
import Foundation

/// A redis-server of the benchmark's own on a free loopback port, without persistence.
final class BenchmarkServer {
    let process: Process
    let port: Int

    init() throws {
        port = try Self.freePort()
        process = Process()
        process.executableURL = try ReferenceBenchmark.locate("redis-server")
        process.arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--daemonize", "no", "--dir", FileManager.default.temporaryDirectory.path, "--loglevel", "warning"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    var url: String { "redis://127.0.0.1:\(port)/0" }

    /// Waits until the server answers PING (at most 10 s).
    func waitUntilReady(using client: RedisClient) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            do {
                try await client.ping()
                return
            } catch {
                if ContinuousClock.now > deadline || !process.isRunning { throw error }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// Kills the server. SIGKILL, because a child started from one of Swift's pool threads
    /// inherits that thread's blocked signals, SIGTERM among them; without persistence nothing is lost.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// A loopback port that is free right now.
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(descriptor, address, length) == 0 && getsockname(descriptor, address, &length) == 0
            }
        }
        guard bound else { throw ReferenceBenchmark.Failure(description: "no free loopback port (errno \(errno))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
