import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--detach`: re-runs this `bazaar` binary in a new session with a hidden flag, its output going
/// to `<run-dir>/logs/bazaar.log`, and waits until the state file says that launcher is ready
/// (success: print the summary) or it exits (failure: print the end of its log).
public enum DetachedLaunch {
    /// The hidden flag that tells a re-executed `bazaar` it is the detached launcher.
    public static let childFlag = "--detached-child"

    /// Starts a detached launcher for `mode` and waits up to `timeout` for it to be ready.
    public static func start(
        mode: RuntimeMode,
        settings: RuntimeSettings,
        console: ConsoleOutput,
        timeout: Duration = .seconds(300)
    ) async throws {
        let runDirectory = settings.runDirectory
        try FileSystem.createDirectory(runDirectory.root)
        try FileSystem.createLogsDirectory(runDirectory)
        if try LauncherLock.acquire(runDirectory) == nil {
            let owner = try? RunStateStore(runDirectory: runDirectory).load()
            throw RuntimeError.alreadyRunning(runDirectory: runDirectory.path, launcherPID: owner?.launcher.pid)
        }
        let logPath = RunDirectory.path(of: runDirectory.launcherLog)
        // Keep the previous run's log one generation back.
        _ = rename(logPath, logPath + ".1")
        _ = chmod(logPath + ".1", 0o600)

        let arguments = [
            mode.subcommand,
            "--run-dir", runDirectory.path,
            "--postgres-port", String(settings.postgresPort),
            "--gateway-port", String(settings.gatewayPort),
            "--redis-port", String(settings.redisPort),
            "--cart-redis-port", String(settings.cartRedisPort),
            "--mongo-port", String(settings.mongoPort),
            "--smtp-port", String(settings.smtpPort),
            "--service-port-offset", String(settings.servicePortOffset),
            childFlag,
        ] + settings.replicas.sorted { $0.key < $1.key }.flatMap { ["--scale", "\($0.key)=\($0.value)"] }
        let pid = try spawnInNewSession(ExecutableLocator.currentExecutable(), arguments: arguments, outputPath: logPath)
        console.announce("started a detached launcher (pid \(pid)); its log: \(logPath)")

        // Ctrl-C while waiting stops the half-started launcher rather than leaving it behind.
        let interrupted = Mutex(false)
        let signals = SignalWatcher { _ in interrupted.withLock { $0 = true } }
        defer { signals.cancel() }

        let store = RunStateStore(runDirectory: runDirectory)
        let deadline = ContinuousClock.now + timeout
        while true {
            if hasExited(pid) {
                // A recorded failure already carries the failing child's last lines; otherwise show the log's.
                if let failure = (try? store.load()).flatMap({ $0.launcher.pid == pid ? $0.failure : nil }) {
                    throw RuntimeError.detachedLaunchFailed(reason: failure, logPath: logPath, logTail: [])
                }
                throw failed("The detached launcher exited before it was ready.", logPath: logPath)
            }
            if let state = try? store.load(), state.launcher.pid == pid, state.phase == .ready {
                let environment = try EnvironmentFile.parse(try FileSystem.readIfPresent(runDirectory.environmentFile) ?? "")
                console.plain(RuntimeSummary.text(mode: mode, settings: settings, environment: environment, detached: true))
                return
            }
            let wasInterrupted = interrupted.withLock { $0 }
            if wasInterrupted || ContinuousClock.now >= deadline {
                kill(pid, SIGTERM)
                for _ in 0..<400 where !hasExited(pid) {
                    try? await Task.sleep(for: .milliseconds(100))
                }
                if !hasExited(pid) { kill(pid, SIGKILL) }
                let reason = wasInterrupted
                    ? "Interrupted; the detached launcher was stopped."
                    : "The detached launcher was not ready after \(timeout.components.seconds) s, so it was stopped."
                throw failed(reason, logPath: logPath)
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    private static func failed(_ reason: String, logPath: String) -> RuntimeError {
        .detachedLaunchFailed(reason: reason, logPath: logPath, logTail: FileSystem.lastLines(of: URL(filePath: logPath), count: 30))
    }

    /// The open file descriptors of this process (from `/proc/self/fd`, else every possible one).
    private static func inheritedDescriptors() -> [Int32] {
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            return entries.compactMap { Int32($0) }.sorted()
        }
        return Array(0..<Int32(min(getdtablesize(), 4096)))
    }

    /// Whether our child `pid` has exited (reaping it), or is no longer ours to wait for.
    private static func hasExited(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        return result == pid || (result == -1 && errno == ECHILD)
    }

    /// Starts `executable` as the leader of a new session (no controlling terminal, so closing the
    /// terminal does not reach it), stdin from /dev/null, stdout and stderr appended to `outputPath`,
    /// stop signals at their default action and none blocked.
    private static func spawnInNewSession(_ executable: String, arguments: [String], outputPath: String) throws -> pid_t {
        #if canImport(Glibc)
        var fileActions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        // POSIX_SPAWN_SETSID; the Glibc module hides the constant behind _GNU_SOURCE.
        let newSession: Int32 = 0x80
        #else
        var fileActions: posix_spawn_file_actions_t?
        var attributes: posix_spawnattr_t?
        let newSession = Int32(POSIX_SPAWN_SETSID)
        #endif
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        posix_spawn_file_actions_addopen(&fileActions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&fileActions, STDOUT_FILENO, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&fileActions, STDOUT_FILENO, STDERR_FILENO)
        // Descriptors without close-on-exec (such as the socket Foundation's `Process` uses to notice
        // that a child exited) must not leak into the long-lived launcher: whoever started this
        // `bazaar` would otherwise wait for the detached launcher instead of for us.
        for descriptor in inheritedDescriptors() where descriptor > STDERR_FILENO {
            posix_spawn_file_actions_addclose(&fileActions, descriptor)
        }

        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        for number in SignalWatcher.stopSignals + [SIGPIPE, SIGQUIT] { sigaddset(&defaultSignals, number) }
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        var noBlockedSignals = sigset_t()
        sigemptyset(&noBlockedSignals)
        posix_spawnattr_setsigmask(&attributes, &noBlockedSignals)
        posix_spawnattr_setflags(&attributes, Int16(newSession | Int32(POSIX_SPAWN_SETSIGDEF) | Int32(POSIX_SPAWN_SETSIGMASK)))

        let argumentStrings = [executable] + arguments
        let environmentStrings = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        let argumentVector = argumentStrings.map { strdup($0) } + [nil]
        let environmentVector = environmentStrings.map { strdup($0) } + [nil]
        defer {
            argumentVector.forEach { free($0) }
            environmentVector.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &fileActions, &attributes, argumentVector, environmentVector)
        guard result == 0 else {
            throw RuntimeError.commandFailed(
                command: argumentStrings.joined(separator: " "), status: result,
                output: "cannot start the detached launcher: \(String(cString: strerror(result)))"
            )
        }
        return pid
    }
}
