#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on `<run-dir>/launcher.lock`, held for a launcher's whole life so two
/// launchers never share a run directory. The kernel releases it when the launcher dies, however it dies.
final class LauncherLock: Sendable {
    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Takes the lock of `runDirectory`, or returns nil when another launcher holds it.
    static func acquire(_ runDirectory: RunDirectory) throws -> LauncherLock? {
        let path = RunDirectory.path(of: runDirectory.lockFile)
        // O_CLOEXEC: children must not inherit (and so keep) the lock.
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw RuntimeError.fileProblem(path: path, reason: "cannot open lock file (\(String(cString: strerror(errno))))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return nil
        }
        return LauncherLock(descriptor: descriptor)
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
