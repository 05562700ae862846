import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How to start one long-running child of the launcher.
struct ProcessSpecification: Sendable {
    /// Display name and output prefix, such as `postgres`.
    var name: String
    /// What the process is; decides stop order and whether its death stops the run.
    var kind: ProcessKind
    /// Absolute path of the program.
    var executable: String
    /// Its arguments.
    var arguments: [String]
    /// Variables added to the launcher's environment for this child.
    var environment: [String: String] = [:]
    /// Port the child serves on, for the state file and health checks.
    var port: Int?
    /// Signal asking the child to stop gracefully (Postgres wants SIGINT for a fast shutdown).
    var stopSignal: Int32 = SIGTERM
    /// Whether the launcher starts it again when it dies once the run is ready, as a container
    /// runtime does with `restart: unless-stopped`. Only a child that cannot come back as it was
    /// (the dev broker keeps its topics in memory and listens on new ports each start) says no:
    /// its death ends the run.
    var restartsAfterCrash = true
}

/// A running child: its Foundation `Process`, the last lines it printed, and how it ended.
///
/// Output (standard output and standard error through one pipe) is read on a dedicated thread and
/// forwarded line by line to the console; the exit is reported by `Process.terminationHandler`.
final class SupervisedProcess: Sendable {
    private struct State {
        var recentLines: [String] = []
        var exitDescription: String?
        var exitedAt: ContinuousClock.Instant?
        var outputEnded = false
    }

    private static let recentLineLimit = 40

    let specification: ProcessSpecification
    let pid: Int32
    let startTime: UInt64?
    private let startedAt = ContinuousClock.now
    /// Kept so the `Process` (and Foundation's watch over the child) lives as long as we do.
    private let process: Process
    private let state = Mutex(State())

    /// Starts `specification`, forwarding output to `console` and calling `onExit` once it exits.
    init(
        specification: ProcessSpecification,
        console: ConsoleOutput,
        onExit: @escaping @Sendable (SupervisedProcess) -> Void
    ) throws {
        self.specification = specification
        let process = Process()
        process.executableURL = URL(filePath: specification.executable)
        process.arguments = specification.arguments
        process.environment = ProcessInfo.processInfo.environment.merging(specification.environment) { _, new in new }
        process.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        self.process = process

        // The handler needs `self`, complete only after every stored property is set, and the
        // child may exit before that: the relay holds whichever of the two comes first.
        let relay = ExitRelay(onExit: onExit)
        process.terminationHandler = { finished in
            relay.processExited(
                finished.terminationReason == .exit
                    ? "exit status \(finished.terminationStatus)"
                    : "killed by signal \(finished.terminationStatus)"
            )
        }
        do {
            try SignalMask.withNoSignalsBlocked { try process.run() }
        } catch {
            throw RuntimeError.commandFailed(
                command: ([specification.executable] + specification.arguments).joined(separator: " "),
                status: -1, output: "cannot start: \(error.localizedDescription)"
            )
        }
        pid = process.processIdentifier
        startTime = ProcessInspector.startTime(of: pid)
        relay.attach(self)
        startReading(pipe.fileHandleForReading, console: console)
    }

    /// Whether the process has not exited yet.
    var isRunning: Bool { state.withLock { $0.exitDescription == nil } }

    /// How the process ended (`exit status 1`, `killed by signal 9`), or nil while it runs.
    var exitDescription: String? { state.withLock { $0.exitDescription } }

    /// The last lines the process printed, oldest first.
    var recentOutput: [String] { state.withLock { $0.recentLines } }

    /// The last lines the process printed, after waiting briefly for the output of an exited
    /// process to be drained (the exit can be reported before its final lines are read).
    func finalOutput() async -> [String] {
        let deadline = ContinuousClock.now + .seconds(1)
        while !state.withLock({ $0.outputEnded }) && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return recentOutput
    }

    /// The error describing this process's unexpected exit, with its last output lines.
    func unexpectedExitError() async -> RuntimeError {
        .processExited(name: specification.name, status: exitDescription ?? "exited", recentOutput: await finalOutput())
    }

    /// The process as the state file records it.
    var record: ProcessRecord {
        ProcessRecord(name: specification.name, pid: pid, kind: specification.kind, port: specification.port, startTime: startTime)
    }

    /// Sends `signal` to the process group the child leads (Foundation starts each child as a group leader).
    func send(_ signal: Int32) {
        guard isRunning else { return }
        if kill(-pid, signal) != 0 { kill(pid, signal) }
    }

    /// Kills whatever the exited child left behind in its process group (nginx workers still
    /// holding the port), so a replacement starts clean. (Postgres backends are sessions of their
    /// own and end by themselves when their postmaster dies.)
    func killLeftovers() {
        guard !isRunning else { return }
        kill(-pid, SIGKILL)
    }

    /// How long the process ran before it exited (nil while it runs or when unknown).
    var uptime: Duration? {
        state.withLock { state in
            guard state.exitDescription != nil, let exitedAt = state.exitedAt else { return nil }
            return exitedAt - startedAt
        }
    }

    /// Polls `probe` every 100 ms until it returns a value (the process is ready), for at most
    /// `seconds`; an exit meanwhile, or the time running out, throws with the last output lines.
    func waitUntilReady<Value>(seconds: Int, _ probe: () async throws -> Value?) async throws -> Value {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            try Task.checkCancellation()
            guard isRunning else { throw await unexpectedExitError() }
            if let value = try await probe() { return value }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw RuntimeError.notReady(name: specification.name, seconds: seconds, recentOutput: recentOutput)
    }

    /// Waits up to `timeout` for the process to exit, polling without blocking a thread; true if it did.
    func waitForExit(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        return !isRunning
    }

    fileprivate func markExited(_ description: String) {
        state.withLock { state in
            state.exitDescription = description
            state.exitedAt = .now
        }
    }

    private func remember(_ line: String) {
        state.withLock { state in
            state.recentLines.append(line)
            if state.recentLines.count > Self.recentLineLimit {
                state.recentLines.removeFirst(state.recentLines.count - Self.recentLineLimit)
            }
        }
    }

    private func startReading(_ handle: FileHandle, console: ConsoleOutput) {
        let name = specification.name
        let thread = Thread { [self] in
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 16_384)
            let descriptor = handle.fileDescriptor
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                pending.append(contentsOf: buffer[0..<count])
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    emit(pending[..<newline], name: name, console: console)
                    pending.removeSubrange(...newline)
                }
            }
            if !pending.isEmpty { emit(pending[...], name: name, console: console) }
            try? handle.close()
            state.withLock { $0.outputEnded = true }
        }
        thread.name = "bazaar-output-\(name)"
        thread.start()
    }

    private func emit(_ bytes: ArraySlice<UInt8>, name: String, console: ConsoleOutput) {
        var line = String(decoding: bytes, as: UTF8.self)
        if line.hasSuffix("\r") { line.removeLast() }
        remember(line)
        console.line(from: name, line)
    }
}

/// Delivers a child's exit once both the exit and the finished `SupervisedProcess` are known.
private final class ExitRelay: Sendable {
    private struct State {
        var process: SupervisedProcess?
        var exitDescription: String?
    }

    private let state = Mutex(State())
    private let onExit: @Sendable (SupervisedProcess) -> Void

    init(onExit: @escaping @Sendable (SupervisedProcess) -> Void) {
        self.onExit = onExit
    }

    func attach(_ process: SupervisedProcess) {
        state.withLock { $0.process = process }
        deliverIfComplete()
    }

    func processExited(_ description: String) {
        state.withLock { $0.exitDescription = description }
        deliverIfComplete()
    }

    private func deliverIfComplete() {
        let ready: (SupervisedProcess, String)? = state.withLock { state in
            guard let process = state.process, let description = state.exitDescription else { return nil }
            state.process = nil
            return (process, description)
        }
        guard let (process, description) = ready else { return }
        process.markExited(description)
        onExit(process)
    }
}
