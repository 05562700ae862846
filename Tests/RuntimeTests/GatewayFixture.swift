import BazaarRuntime
import BazaarTestSupport
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A long-running child of a test, stopped with SIGKILL (a child started from one of Swift's pool
/// threads inherits that thread's blocked signals, SIGTERM among them).
///
/// `@unchecked Sendable`: `process` is set once; `Process` itself is thread-safe for what is used here.
final class BackgroundProcess: @unchecked Sendable {
    let process: Process
    let name: String

    /// `output`: a file that receives what the program prints (nothing is kept otherwise).
    init(name: String, executable: String, arguments: [String], output: String? = nil) throws {
        let process = Process()
        process.executableURL = URL(filePath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: nil) else {
                throw TestSetupError(description: "cannot create \(output)")
            }
            let handle = try FileHandle(forWritingTo: URL(filePath: output))
            process.standardOutput = handle
            process.standardError = handle
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        try ChildProcess.launch(process)
        self.process = process
        self.name = name
    }

    var isRunning: Bool { process.isRunning }

    func kill() async {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        await ChildProcess.waitForExit(process)
    }
}

/// Waits until `port` answers `GET path` (any status), failing early when `process` exits.
func waitUntilAnswering(port: Int, path: String, process: BackgroundProcess) async throws {
    for _ in 0..<400 {
        guard process.isRunning else { throw TestSetupError(description: "\(process.name) exited before it answered") }
        if await HealthProbe.httpStatus(port: port, path: path) != nil { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw TestSetupError(description: "\(process.name) did not answer GET \(path) on port \(port)")
}

/// A plain HTTP service in Python standing in for a platform service at the gateway's edge: its
/// `GET /health/ready` answers a chosen status, `…/missing` answers its own 404, and every other
/// path echoes the request headers it received as JSON.
enum EchoService {
    static let program = """
        import json, sys
        from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
        port, ready = int(sys.argv[1]), int(sys.argv[2])
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            def do_GET(self):
                if self.path == "/health/ready":
                    self.answer(ready, {"status": "healthy" if ready == 200 else "unhealthy"})
                elif self.path.endswith("/missing"):
                    self.answer(404, {"own": True})
                else:
                    self.answer(200, {"headers": {key.lower(): value for key, value in self.headers.items()}})
            def log_message(self, *arguments):
                pass
        ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
        """

    static func start(port: Int, readiness: Int) async throws -> BackgroundProcess {
        let python = try TestTools.require("python3", debianPackage: "python3")
        let process = try BackgroundProcess(name: "echo service on \(port)", executable: python,
                                            arguments: ["-c", program, String(port), String(readiness)])
        try await waitUntilAnswering(port: port, path: "/health/ready", process: process)
        return process
    }
}

/// The health checker binary on a free port, checking `services`.
func startHealthChecker(services: [ServiceDefinition]) async throws -> (process: BackgroundProcess, port: Int) {
    let executable = try LauncherBinary.locate(product: Gateway.healthExecutableName)
    let port = try LoopbackPort.free()
    let process = try BackgroundProcess(name: "bazaar-gateway-health", executable: executable,
                                        arguments: Gateway.healthArguments(port: port, services: services))
    try await waitUntilAnswering(port: port, path: "/health/live", process: process)
    return (process, port)
}

/// An HTTP answer as curl saw it.
struct HTTPAnswer {
    var status: Int
    /// Header names in lower case.
    var headers: [String: String]
    var body: String

    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] }
}

/// Sends one request with curl (an HTTP client independent of the code under test).
func curlRequest(port: Int, method: String = "GET", path: String, headers: [String] = [], body: String? = nil) async throws -> HTTPAnswer {
    let curl = try TestTools.require("curl", debianPackage: "curl")
    var arguments = ["-s", "-i", "-m", "10", "-X", method, "-H", "Expect:"] + headers.flatMap { ["-H", $0] }
    if let body { arguments += ["--data-binary", body] }
    if method == "HEAD" { arguments = ["-s", "-I", "-m", "10"] + headers.flatMap { ["-H", $0] } }
    arguments.append("http://127.0.0.1:\(port)\(path)")
    let result = try await ChildProcess.run(curl, arguments)
    let parts = result.output.components(separatedBy: "\r\n\r\n")
    let head = parts.first?.components(separatedBy: "\r\n") ?? []
    guard let statusLine = head.first, statusLine.hasPrefix("HTTP/"), let status = Int(statusLine.split(separator: " ")[1]) else {
        throw TestSetupError(description: "curl got no HTTP answer (exit \(result.status)): \(result.output.prefix(500))")
    }
    var fields: [String: String] = [:]
    for line in head.dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return HTTPAnswer(status: status, headers: fields, body: parts.dropFirst().joined(separator: "\r\n\r\n"))
}

/// A real nginx running the generated gateway configuration in a temporary folder, in front of
/// echo services and the real health checker.
final class RunningGateway: Sendable {
    let configuration: GatewayConfiguration
    let children: [BackgroundProcess]
    let checker: BackgroundProcess
    let directory: TemporaryDirectory
    let nginx: String
    private let master: BackgroundProcess

    var port: Int { configuration.port }

    /// `services` are started as echo services unless their readiness is nil (nothing listens);
    /// the checker asks those with an executable name.
    static func start(
        services: [(definition: ServiceDefinition, readiness: Int?)], upgradeRoutePrefixes: Set<String> = [],
        maximumBodySize: String = "10m"
    ) async throws -> RunningGateway {
        let nginx = try TestTools.require("nginx", debianPackage: "nginx-light", extraDirectories: ["/usr/sbin"])
        let directory = try TemporaryDirectory.create(prefix: "bazaar-gateway-serve")
        var children: [BackgroundProcess] = []
        do {
            for (definition, readiness) in services {
                if let readiness { children.append(try await EchoService.start(port: definition.port, readiness: readiness)) }
            }
            let definitions = services.map(\.definition)
            let settings = RuntimeSettings(runDirectory: RunDirectory(path: directory.path), gatewayPort: try LoopbackPort.free(),
                                           services: definitions)
            let (checker, healthPort) = try await startHealthChecker(services: Gateway.checkedServices(settings))
            children.append(checker)
            var configuration = Gateway.configuration(for: settings, healthPort: healthPort, directory: directory.path + "/gateway")
            configuration.upgradeRoutePrefixes = upgradeRoutePrefixes
            configuration.maximumBodySize = maximumBodySize
            try Gateway.writeFiles(for: configuration)
            let master = try BackgroundProcess(name: "nginx", executable: nginx, arguments: Gateway.arguments(for: configuration),
                                               output: directory.path + "/nginx-output.log")
            let gateway = RunningGateway(configuration: configuration, children: children, checker: checker, directory: directory,
                                         nginx: nginx, master: master)
            do {
                try await waitUntilAnswering(port: configuration.port, path: "/health/live", process: master)
            } catch {
                await gateway.stop()
                throw error
            }
            return gateway
        } catch {
            for child in children { await child.kill() }
            directory.remove()
            throw error
        }
    }

    private init(configuration: GatewayConfiguration, children: [BackgroundProcess], checker: BackgroundProcess,
                 directory: TemporaryDirectory, nginx: String, master: BackgroundProcess) {
        self.configuration = configuration
        self.children = children
        self.checker = checker
        self.directory = directory
        self.nginx = nginx
        self.master = master
    }

    /// What nginx printed: its access log and errors.
    func output() throws -> String { try String(contentsOfFile: directory.path + "/nginx-output.log", encoding: .utf8) }

    /// The pid of nginx's master process.
    var masterPID: Int32 { master.process.processIdentifier }

    /// Stops nginx (`nginx -s stop` signals the master from a fresh process, so no inherited
    /// signal mask gets in the way), then every other child, and removes the folder.
    ///
    /// `nginx -s stop` returns as soon as it has signalled; the master then stops its workers.
    /// Killing the master before that orphans the workers, which go on listening after the test
    /// (found in a `make test` run), so the master gets time to finish, and any worker that
    /// outlived it is killed too.
    func stop() async {
        let workers = childProcesses(of: masterPID)
        if master.isRunning {
            _ = try? await ChildProcess.run(nginx, ["-s", "stop"] + Gateway.arguments(for: configuration).filter { $0 != "-g" && $0 != "daemon off;" })
            _ = await ChildProcess.waitForExit(master.process, atMost: .seconds(10))
        }
        await master.kill()
        for worker in workers where !ChildProcess.isZombie(worker) { kill(worker, SIGKILL) }
        for child in children { await child.kill() }
        directory.remove()
    }
}

/// The pids of the children of `parent`, from `/proc`.
func childProcesses(of parent: Int32) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry -> Int32? in
        guard let pid = Int32(entry), let stat = FileManager.default.contents(atPath: "/proc/\(entry)/stat") else { return nil }
        let text = String(decoding: stat, as: UTF8.self)
        // pid (comm) state ppid ...: the command may hold spaces, so read after the last ')'.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 1 && Int32(fields[1]) == parent ? pid : nil
    }
}

/// The real user id of process `pid`, from `/proc/<pid>/status`.
func realUserID(of pid: Int32) -> uid_t? {
    guard let status = FileManager.default.contents(atPath: "/proc/\(pid)/status") else { return nil }
    let line = String(decoding: status, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("Uid:") }
    return line.flatMap { $0.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first }.flatMap { uid_t($0) }
}
