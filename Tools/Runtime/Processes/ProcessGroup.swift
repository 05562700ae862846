import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The launcher's children, started in order and stopped in reverse: gateway first, then services,
/// then infrastructure. Each tier gets its graceful stop signal, up to `gracePeriod` to exit, then SIGKILL.
final class ProcessGroup: Sendable {
    private struct State {
        var processes: [SupervisedProcess] = []
        var isStopping = false
    }

    private let console: ConsoleOutput
    private let onExit: @Sendable (SupervisedProcess) -> Void
    private let state = Mutex(State())

    /// A group whose children print to `console`; `onExit` hears of every child that exits.
    init(console: ConsoleOutput, onExit: @escaping @Sendable (SupervisedProcess) -> Void) {
        self.console = console
        self.onExit = onExit
    }

    /// The children started so far, in start order.
    var processes: [SupervisedProcess] { state.withLock { $0.processes } }

    /// Whether ``stopAll(gracePeriod:)`` has begun, after which exits are expected.
    var isStopping: Bool { state.withLock { $0.isStopping } }

    /// Starts a child and adds it to the group.
    @discardableResult
    func start(_ specification: ProcessSpecification) throws -> SupervisedProcess {
        let process = try SupervisedProcess(specification: specification, console: console, onExit: onExit)
        state.withLock { $0.processes.append(process) }
        console.announce("started \(specification.name) (pid \(process.pid))")
        return process
    }

    /// Starts `exited` again in its place, after killing what it left in its process group; nil
    /// once the group is stopping (then nothing is started, so nothing escapes the stop).
    func restart(_ exited: SupervisedProcess) throws -> SupervisedProcess? {
        exited.killLeftovers()
        // Under the lock, so a stop that begins meanwhile either sees the replacement or prevents it.
        let replacement: SupervisedProcess? = try state.withLock { state in
            guard !state.isStopping else { return nil }
            let process = try SupervisedProcess(specification: exited.specification, console: console, onExit: onExit)
            if let index = state.processes.firstIndex(where: { $0 === exited }) {
                state.processes[index] = process
            } else {
                state.processes.append(process)
            }
            return process
        }
        if let replacement {
            console.announce("restarted \(replacement.specification.name) (pid \(replacement.pid))")
        }
        return replacement
    }

    /// Stops every child, tier by tier in reverse start order, and returns when all have exited.
    func stopAll(gracePeriod: Duration = .seconds(10)) async {
        let processes = state.withLock { state in
            state.isStopping = true
            return state.processes
        }
        for tier in [ProcessKind.gateway, .service, .infrastructure] {
            let members = processes.reversed().filter { $0.specification.kind == tier && $0.isRunning }
            guard !members.isEmpty else { continue }
            for member in members {
                console.announce("stopping \(member.specification.name) (pid \(member.pid))")
                member.send(member.specification.stopSignal)
            }
            let deadline = ContinuousClock.now + gracePeriod
            for member in members where !(await member.waitForExit(timeout: deadline - ContinuousClock.now)) {
                console.announce("\(member.specification.name) did not stop within \(gracePeriod); sending SIGKILL")
                member.send(SIGKILL)
                _ = await member.waitForExit(timeout: .seconds(5))
            }
        }
        // Let the readers print what the children said while stopping before the launcher exits.
        for process in processes {
            _ = await process.finalOutput()
        }
    }

    /// Kills every child immediately (second Ctrl-C while stopping).
    func killAll() {
        for process in processes where process.isRunning {
            process.send(SIGKILL)
        }
    }
}
