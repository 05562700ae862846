#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Stops runs from outside the launcher, from what the state file records (`bazaar down`), and
/// clears children a dead launcher left behind.
public enum RuntimeShutdown {
    /// How long `bazaar down` lets a launcher stop its children before killing it: enough for three
    /// tiers (gateway, services, infrastructure) of ten seconds each, plus margin.
    public static let launcherGracePeriod: Duration = .seconds(40)

    /// Stops the run recorded in `runDirectory`: SIGTERM to its launcher, which stops its children;
    /// SIGKILL if it is still alive after ``launcherGracePeriod``; then any recorded child still
    /// alive is stopped directly. Returns false when nothing was running.
    @discardableResult
    public static func stop(_ runDirectory: RunDirectory, console: ConsoleOutput) async throws -> Bool {
        guard let state = try RunStateStore(runDirectory: runDirectory).load() else {
            console.announce("nothing is running from \(runDirectory.path)")
            return false
        }
        let launcherAlive = ProcessInspector.isAlive(state.launcher)
        if launcherAlive {
            console.announce("stopping the launcher (pid \(state.launcher.pid)) and everything it runs")
            kill(state.launcher.pid, SIGTERM)
            let stubborn = await ProcessInspector.waitForExit(of: [state.launcher], timeout: launcherGracePeriod)
            if !stubborn.isEmpty {
                console.announce("the launcher did not stop within \(launcherGracePeriod); sending SIGKILL")
                kill(state.launcher.pid, SIGKILL)
                _ = await ProcessInspector.waitForExit(of: [state.launcher], timeout: .seconds(5))
            }
        }
        let leftovers = state.processes.filter(ProcessInspector.isAlive)
        if !leftovers.isEmpty {
            console.announce("stopping leftover processes: \(describe(leftovers))")
            try await terminate(leftovers)
        }
        if !launcherAlive && leftovers.isEmpty {
            console.announce("nothing is running from \(runDirectory.path)")
            return false
        }
        console.announce("stopped")
        return true
    }

    /// Stops children recorded by an earlier launcher that is no longer alive (the caller holds the
    /// run directory's lock, so no live launcher owns them).
    static func stopOrphans(of runDirectory: RunDirectory, console: ConsoleOutput) async throws {
        let state: RunState?
        do {
            state = try RunStateStore(runDirectory: runDirectory).load()
        } catch {
            console.announce("warning: ignoring an unreadable state file: \(error)")
            return
        }
        guard let state else { return }
        let orphans = state.processes.filter(ProcessInspector.isAlive)
        guard !orphans.isEmpty else { return }
        console.announce("the previous launcher (pid \(state.launcher.pid)) died without stopping \(describe(orphans)); stopping them first")
        try await terminate(orphans)
    }

    /// Stops `records` tier by tier (gateway, services, infrastructure), each with its graceful
    /// signal, then SIGKILL after ten seconds; throws if any survives.
    static func terminate(_ records: [ProcessRecord]) async throws {
        var survivors: [ProcessRecord] = []
        for tier in [ProcessKind.launcher, .gateway, .service, .infrastructure] {
            let members = records.filter { $0.kind == tier }
            for signal in Set(members.map(stopSignal)) {
                survivors += await ProcessInspector.terminate(members.filter { stopSignal(for: $0) == signal }, signal: signal)
            }
        }
        guard survivors.isEmpty else { throw RuntimeError.processesSurvived(survivors.map { "\($0.name) (pid \($0.pid))" }) }
    }

    /// The graceful stop signal of a recorded process: SIGINT (fast shutdown) for Postgres, SIGTERM otherwise.
    static func stopSignal(for record: ProcessRecord) -> Int32 {
        record.name == PostgresCluster.processName ? SIGINT : SIGTERM
    }

    private static func describe(_ records: [ProcessRecord]) -> String {
        records.map { "\($0.name) (pid \($0.pid))" }.joined(separator: ", ")
    }
}
