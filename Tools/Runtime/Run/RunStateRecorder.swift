import Foundation
import Synchronization

/// Keeps the state file in step with the running launcher: every change is written at once, so
/// `bazaar status`, `bazaar down` and a waiting `--detach` parent always see the current picture.
final class RunStateRecorder: Sendable {
    private let store: RunStateStore
    private let state: Mutex<RunState>
    private let console: ConsoleOutput

    /// Starts recording a run of `mode` by this process, writing the initial `starting` state.
    init(settings: RuntimeSettings, mode: RuntimeMode, console: ConsoleOutput) throws {
        store = RunStateStore(runDirectory: settings.runDirectory)
        self.console = console
        let pid = getpid()
        let launcher = ProcessRecord(
            name: ConsoleOutput.launcherName, pid: pid, kind: .launcher, startTime: ProcessInspector.startTime(of: pid)
        )
        let initial = RunState(launcher: launcher, mode: mode, settings: settings)
        state = Mutex(initial)
        try store.save(initial)
    }

    /// Records a started child.
    func add(_ record: ProcessRecord) {
        update { $0.processes.append(record) }
    }

    /// Records that the child named like `record` was started again (a new pid).
    func replace(_ record: ProcessRecord) {
        update { state in
            if let index = state.processes.firstIndex(where: { $0.name == record.name }) {
                state.processes[index] = record
            } else {
                state.processes.append(record)
            }
        }
    }

    /// Moves the run to `phase`, with the failure message when it failed.
    func enter(_ phase: RunState.Phase, failure: String? = nil) {
        update { state in
            state.phase = phase
            if let failure { state.failure = failure }
        }
    }

    private func update(_ change: (inout RunState) -> Void) {
        // Saving under the lock keeps the file's order of writes the order of changes.
        let problem: String? = state.withLock { state in
            change(&state)
            state.updatedAt = Date()
            do {
                try store.save(state)
                return nil
            } catch {
                return "\(error)"
            }
        }
        if let problem {
            // The run itself can go on; only observers lose track of it.
            console.announce("warning: cannot update the state file: \(problem)")
        }
    }
}
