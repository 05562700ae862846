import Foundation
import Synchronization

/// Runs the platform (or only its infrastructure) as children of this process, in the foreground,
/// until a stop signal or a failure; then stops every child in reverse start order.
///
/// - A stop signal (Ctrl-C, SIGTERM from `bazaar down`, SIGHUP) stops everything and returns normally;
///   a second one kills the children at once.
/// - A failed start, or the death of any child while still starting, stops everything and throws.
/// - A child that dies once the run is ready is started again, as a container runtime restarts a
///   container: at once the first time, then after a delay that doubles (up to 30 s) while it
///   keeps dying within 30 s of its start. The rest keeps running meanwhile, so one crashing
///   service (or Postgres, or a Redis) does not take the platform down. Only the dev broker, which
///   cannot come back as it was, ends the run when it dies.
/// - The run directory is locked for the launcher's life. If an earlier launcher died without
///   stopping its children (SIGKILL, crash), they are recognised from the state file and stopped
///   before anything starts; a launcher that is still alive makes this one refuse to start.
public final class LocalRuntime: Sendable {
    private enum Event: Sendable {
        case startupCompleted(EnvironmentFile)
        case startupFailed(any Error)
        case signal(Int32)
        case processExited(SupervisedProcess)
    }

    private let settings: RuntimeSettings
    private let mode: RuntimeMode
    private let console: ConsoleOutput
    private let detached: Bool

    /// A runtime for `settings` in `mode`; `detached` only changes the printed stop instruction.
    public init(settings: RuntimeSettings, mode: RuntimeMode, console: ConsoleOutput = ConsoleOutput(), detached: Bool = false) {
        self.settings = settings
        self.mode = mode
        self.console = console
        self.detached = detached
    }

    /// Starts, supervises until asked to stop, and stops. Throws when the run failed.
    public func run() async throws {
        let runDirectory = settings.runDirectory
        try FileSystem.createDirectory(runDirectory.root)
        try FileSystem.createLogsDirectory(runDirectory)
        guard let lock = try LauncherLock.acquire(runDirectory) else {
            let owner = try? RunStateStore(runDirectory: runDirectory).load()
            throw RuntimeError.alreadyRunning(runDirectory: runDirectory.path, launcherPID: owner?.launcher.pid)
        }
        // The lock is released when `lock` is destroyed, after the run.
        defer { withExtendedLifetime(lock) {} }
        try await RuntimeShutdown.stopOrphans(of: runDirectory, console: console)
        try await supervise()
    }

    private func supervise() async throws {
        let (events, continuation) = AsyncStream.makeStream(of: Event.self)
        let group = ProcessGroup(console: console) { continuation.yield(.processExited($0)) }
        let signalCount = Mutex(0)
        let signals = SignalWatcher { number in
            let count = signalCount.withLock { count in
                count += 1
                return count
            }
            if count == 1 {
                continuation.yield(.signal(number))
            } else {
                group.killAll()
            }
        }
        defer { signals.cancel() }

        let recorder = try RunStateRecorder(settings: settings, mode: mode, console: console)
        console.announce("starting \(mode == .full ? "Bazaar" : "the infrastructure") from \(settings.runDirectory.path) (launcher pid \(getpid()))")
        let startup = RuntimeStartup(settings: settings, mode: mode, console: console, group: group, recorder: recorder)
        let startupTask = Task {
            do {
                continuation.yield(.startupCompleted(try await startup.run()))
            } catch {
                continuation.yield(.startupFailed(error))
            }
        }

        var failure: (any Error)?
        var ready = false
        var restarts = RestartSchedule()
        var restartTasks: [Task<Void, Never>] = []
        eventLoop: for await event in events {
            switch event {
            case let .startupCompleted(environment):
                ready = true
                recorder.enter(.ready)
                console.plain(RuntimeSummary.text(mode: mode, settings: settings, environment: environment, detached: detached))
            case let .startupFailed(error):
                if !(error is CancellationError) { failure = error }
                break eventLoop
            case let .signal(number):
                console.announce("received \(SignalWatcher.name(of: number)); stopping (again to kill at once)")
                break eventLoop
            case let .processExited(process):
                if group.isStopping { continue }
                if ready && process.specification.restartsAfterCrash {
                    let delay = restarts.delay(afterExitOf: process.specification.name, uptime: process.uptime)
                    console.announce("warning: \(process.specification.name) exited (\(process.exitDescription ?? "exited")); "
                        + "starting it again in \(RestartSchedule.describe(delay)); the rest keeps running")
                    restartTasks.append(Task { await self.restart(process, after: delay, group: group, recorder: recorder) })
                    continue
                }
                failure = await process.unexpectedExitError()
                break eventLoop
            }
        }

        startupTask.cancel()
        await startupTask.value
        for task in restartTasks { task.cancel() }
        for task in restartTasks { await task.value }
        recorder.enter(.stopping)
        await group.stopAll()
        continuation.finish()
        if let failure {
            recorder.enter(.failed, failure: "\(failure)")
            console.announce("stopped after a failure")
            throw failure
        }
        recorder.enter(.stopped)
        console.announce("stopped")
    }

    /// Starts `process` again after `delay`, retrying (with the delay doubled) while it cannot be
    /// started; gives up only when the run stops.
    private func restart(_ process: SupervisedProcess, after delay: Duration, group: ProcessGroup, recorder: RunStateRecorder) async {
        var wait = delay
        while true {
            do {
                try await Task.sleep(for: wait)
                if let replacement = try group.restart(process) {
                    recorder.replace(replacement.record)
                }
                return
            } catch is CancellationError {
                return
            } catch {
                wait = min(wait * 2, RestartSchedule.longestDelay)
                console.announce("warning: cannot start \(process.specification.name) again (\(error)); trying again in \(RestartSchedule.describe(wait))")
            }
        }
    }
}

/// When to start a child that died again: at once (after `firstDelay`) the first time, then with
/// the delay doubled for every further death within `healthyUptime` of its start, up to
/// `longestDelay`; a child that ran longer than `healthyUptime` starts over.
public struct RestartSchedule: Sendable {
    public static let firstDelay = Duration.milliseconds(250)
    public static let longestDelay = Duration.seconds(30)
    public static let healthyUptime = Duration.seconds(30)

    private var quickDeaths: [String: Int] = [:]

    public init() {}

    /// The delay before starting the child `name` again, which ran for `uptime` (nil: unknown).
    public mutating func delay(afterExitOf name: String, uptime: Duration?) -> Duration {
        if let uptime, uptime >= Self.healthyUptime { quickDeaths[name] = 0 }
        let deaths = (quickDeaths[name] ?? 0) + 1
        quickDeaths[name] = deaths
        return min(Self.firstDelay * (1 << min(deaths - 1, 16)), Self.longestDelay)
    }

    /// `250 ms`, `4 s`.
    public static func describe(_ delay: Duration) -> String {
        let milliseconds = delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000
        return milliseconds < 1000 ? "\(milliseconds) ms" : "\(milliseconds / 1000) s"
    }
}
