import Foundation
import Synchronization

/// The outcome of a short helper command.
struct CommandResult: Sendable {
    /// Exit status (or the signal number, when `exitedNormally` is false).
    var status: Int32
    /// Whether the command exited rather than being killed by a signal.
    var exitedNormally: Bool
    /// Standard output and standard error, interleaved as written.
    var output: String

    /// Whether the command exited with status 0.
    var succeeded: Bool { exitedNormally && status == 0 }
}

/// Runs short helper commands (initdb, pg_isready, psql, nginx -t, setpriv test) to completion.
///
/// Output is read on a Dispatch queue and completion is reported by `Process.terminationHandler`,
/// so no thread of Swift's cooperative pool ever blocks on a pipe or on `waitpid`.
enum CommandRunner {
    /// Runs `executable` with `arguments`, feeding `input` to its standard input, and returns its
    /// combined output. `environment` is added to (not substituted for) the launcher's own.
    static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        input: String? = nil
    ) async throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(filePath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let outputPipe = Pipe()
        process.standardOutput = outputPipe
        process.standardError = outputPipe
        let inputPipe = input.map { _ in Pipe() }
        process.standardInput = inputPipe ?? FileHandle.nullDevice

        let completion = CommandCompletion()
        return try await withCheckedThrowingContinuation { continuation in
            completion.setContinuation(continuation)
            process.terminationHandler = { finished in
                completion.processFinished(status: finished.terminationStatus, exitedNormally: finished.terminationReason == .exit)
            }
            do {
                try SignalMask.withNoSignalsBlocked { try process.run() }
            } catch {
                completion.fail(RuntimeError.commandFailed(
                    command: ([executable] + arguments).joined(separator: " "), status: -1,
                    output: "cannot start: \(error.localizedDescription)"
                ))
                return
            }
            let reader = outputPipe.fileHandleForReading
            DispatchQueue.global().async {
                // Blocking read until every writer closed the pipe: off the cooperative pool on purpose.
                let data = reader.readDataToEndOfFile()
                completion.outputFinished(String(decoding: data, as: UTF8.self))
            }
            if let inputPipe, let input {
                let writer = inputPipe.fileHandleForWriting
                DispatchQueue.global().async {
                    try? writer.write(contentsOf: Data(input.utf8))
                    try? writer.close()
                }
            }
        }
    }

    /// Runs a command and throws ``RuntimeError/commandFailed(command:status:output:)`` unless it succeeds.
    @discardableResult
    static func runChecked(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        input: String? = nil,
        displayName: String? = nil
    ) async throws -> String {
        let result = try await run(executable, arguments, environment: environment, input: input)
        guard result.succeeded else {
            let command = displayName ?? ([executable] + arguments).joined(separator: " ")
            throw RuntimeError.commandFailed(command: command, status: result.status, output: result.output)
        }
        return result.output
    }
}

/// Joins the two halves of a command's completion (termination and end of output) into one resumption.
private final class CommandCompletion: Sendable {
    private struct State {
        var continuation: CheckedContinuation<CommandResult, any Error>?
        var termination: (status: Int32, exitedNormally: Bool)?
        var output: String?
    }

    private let state = Mutex(State())

    func setContinuation(_ continuation: CheckedContinuation<CommandResult, any Error>) {
        state.withLock { $0.continuation = continuation }
    }

    func processFinished(status: Int32, exitedNormally: Bool) {
        state.withLock { $0.termination = (status, exitedNormally) }
        resumeIfComplete()
    }

    func outputFinished(_ output: String) {
        state.withLock { $0.output = output }
        resumeIfComplete()
    }

    func fail(_ error: any Error) {
        let continuation = state.withLock { state in
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(throwing: error)
    }

    private func resumeIfComplete() {
        let ready: (CheckedContinuation<CommandResult, any Error>, CommandResult)? = state.withLock { state in
            guard let termination = state.termination, let output = state.output, let continuation = state.continuation else {
                return nil
            }
            state.continuation = nil
            return (continuation, CommandResult(status: termination.status, exitedNormally: termination.exitedNormally, output: output))
        }
        if let (continuation, result) = ready {
            continuation.resume(returning: result)
        }
    }
}
