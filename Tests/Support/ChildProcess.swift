public import Foundation
import Synchronization

/// Runs a program to completion from a test without blocking Swift's cooperative pool (reading
/// its output and waiting for it happen on a dispatch queue), so timers and other tests keep
/// running while it works.
public enum ChildProcess {
    public struct Result: Sendable {
        public var status: Int32
        public var output: String
    }

    /// Runs `executable` with `arguments` and returns its exit status and combined output.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let reader = pipe.fileHandleForReading
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let data = reader.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self)))
            }
        }
    }

    /// Waits, off the cooperative pool, until `process` has exited.
    public static func waitForExit(_ process: Process) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume()
            }
        }
    }
}

/// A program a test starts and reads from while it runs (a `curl -N` on an event stream): its
/// output accumulates on a thread of its own, and the test waits for what it needs to appear.
public final class RunningChildProcess: Sendable {
    private final class Collected: Sendable {
        let bytes = Mutex<[UInt8]>([])
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
        try process.run()
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
        }.start()
    }

    /// Everything the program wrote so far.
    public var output: String { collected.bytes.withLock { String(decoding: $0, as: UTF8.self) } }

    /// Ends the program and waits (off the cooperative pool) until it has exited.
    ///
    /// SIGKILL: a child started from one of Swift's pool threads inherits that thread's blocked
    /// signals, SIGTERM among them, and would outlive a terminate().
    public func stop() async {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        await ChildProcess.waitForExit(process)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
