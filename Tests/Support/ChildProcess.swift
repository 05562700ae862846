public import Foundation
import Synchronization

/// Runs a program to completion from a test without blocking Swift's cooperative pool (reading
/// its output and waiting for it happen on a dispatch queue), so timers and other tests keep
/// running while it works.
public enum ChildProcess {
    public struct Result: Sendable {
        public var status: Int32
        public var output: String
        /// It was still running after the limit given to ``run(_:_:environment:atMost:)`` and was killed.
        public var timedOut = false
    }

    /// Runs `executable` with `arguments` and returns its exit status and combined output. With
    /// `limit`, a program still running after it (a server that should have refused to start, say)
    /// is killed, so a test fails instead of waiting for ever.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                           atMost limit: Duration? = nil) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try ChildProcess.launch(process)
        let reader = pipe.fileHandleForReading
        let killed = KilledFlag()
        if let limit {
            let pid = process.processIdentifier
            Task {
                if await !waitForExit(pid: pid, atMost: limit) {
                    killed.value.store(true, ordering: .sequentiallyConsistent)
                    kill(pid, SIGKILL)
                }
            }
        }
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let data = reader.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self),
                                                      timedOut: killed.value.load(ordering: .sequentiallyConsistent)))
            }
        }
    }

    /// Starts `process` from a fresh thread that blocks only SIGCHLD; every test fixture starts
    /// its programs this way.
    ///
    /// A spawned child inherits the spawning thread's blocked signals, and Swift's and Dispatch's
    /// threads block most of them: a program started from one never sees SIGTERM (or the dev
    /// broker's SIGUSR1/2), so `terminate()` followed by a wait for its exit waited for ever (a
    /// test run once stalled on a mail sink that would not stop), and a server could only be
    /// killed, skipping its clean shutdown.
    public static func launch(_ process: Process) throws {
        let failure = Mutex<(any Error)?>(nil)
        let spawned = DispatchSemaphore(value: 0)
        Thread {
            // Everything unblocked but SIGCHLD, which stays as Swift's threads have it (a precaution
            // for Foundation's child reaping; it did not cure the defunct-nginx hang, which
            // `waitForExit` now survives without reaping).
            var onlyChildSignals = sigset_t()
            sigemptyset(&onlyChildSignals)
            sigaddset(&onlyChildSignals, SIGCHLD)
            pthread_sigmask(SIG_SETMASK, &onlyChildSignals, nil)
            do {
                try process.run()
            } catch {
                failure.withLock { $0 = error }
            }
            spawned.signal()
        }.start()
        spawned.wait()
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Waits, off the cooperative pool, until `process` has exited.
    ///
    /// Not `Process.waitUntilExit`: it spins a run loop at full CPU on a Dispatch thread, and it
    /// ends only once Foundation has reaped the child, which in a test run once never happened
    /// (a defunct nginx; cause not found yet). An exited child shows as a zombie (`Z`) in
    /// `/proc/<pid>/stat` whether or not it has been reaped, so that counts as exited too.
    public static func waitForExit(_ process: Process) async {
        _ = await waitForExit(process, atMost: nil)
    }

    /// Waits, off the cooperative pool, until `process` has exited or `limit` has passed;
    /// returns whether it exited.
    public static func waitForExit(_ process: Process, atMost limit: Duration?) async -> Bool {
        await waitForExit(pid: process.processIdentifier, atMost: limit)
    }

    /// Waits, off the cooperative pool, until the process `pid` has exited or `limit` has passed.
    static func waitForExit(pid: Int32, atMost limit: Duration?) async -> Bool {
        await offThePool {
            let deadline = limit.map { ContinuousClock.now + $0 }
            while !isZombie(pid) {
                if let deadline, ContinuousClock.now >= deadline { return false }
                Thread.sleep(forTimeInterval: 0.02)
            }
            return true
        }
    }

    /// Whether `pid` has exited but not been reaped (or no longer exists).
    public static func isZombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        // "pid (command) S ...": the state follows the last ')'.
        guard let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }
}

/// A program a test starts and reads from while it runs (a `curl -N` on an event stream): its
/// output accumulates on a thread of its own, and the test waits for what it needs to appear.
public final class RunningChildProcess: Sendable {
    private final class Collected: Sendable {
        let bytes = Mutex<[UInt8]>([])
        /// Set once the program closed its output and the last of it was collected.
        let ended = Atomic<Bool>(false)
    }

    private let process: Process
    private let collected = Collected()

    /// Starts `executable`; standard output and error are collected together.
    public init(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try ChildProcess.launch(process)
        self.process = process
        let reader = pipe.fileHandleForReading
        let collected = self.collected
        // Blocking reads, so a thread of their own; it ends when the program closes its output.
        Thread {
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                collected.bytes.withLock { $0 += chunk }
            }
            collected.ended.store(true, ordering: .releasing)
        }.start()
    }

    /// Everything the program wrote so far.
    public var output: String { collected.bytes.withLock { String(decoding: $0, as: UTF8.self) } }

    /// Whether the program still runs (a `curl -N` ends when the server closes the stream), or its
    /// last output is still being collected: once false, ``output`` is complete. (The program can
    /// have exited before its reader thread took the last bytes from the pipe.)
    public var isRunning: Bool { process.isRunning || !collected.ended.load(ordering: .acquiring) }

    /// Ends the program (SIGKILL: a reader such as curl has nothing to finish) and waits, off the
    /// cooperative pool, until it has exited.
    public func stop() async {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        await ChildProcess.waitForExit(process)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// Whether ``ChildProcess/run(_:_:environment:atMost:)`` killed its program.
private final class KilledFlag: Sendable {
    let value = Atomic<Bool>(false)
}
