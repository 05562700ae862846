import Foundation
import Synchronization

/// Runs the platform (or only its infrastructure) as children of this process, in the foreground,
/// until a stop signal or a failure; then stops every child in reverse start order.
///
/// - A stop signal (Ctrl-C, SIGTERM from `bazaar down`, SIGHUP) stops everything and returns normally;
///   a second one kills the children at once.
/// - A failed start, or the death of a required child (infrastructure, gateway, or a service while
///   still starting), stops everything and throws. A service that dies after start-up is reported
///   and the rest keeps running, so one crashing service does not take the platform down.
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
                if ready && process.specification.kind == .service {
                    console.announce("warning: the \(process.specification.name) service exited (\(process.exitDescription ?? "exited")); the rest keeps running")
                    continue
                }
                failure = await process.unexpectedExitError()
                break eventLoop
            }
        }

        startupTask.cancel()
        await startupTask.value
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
}
