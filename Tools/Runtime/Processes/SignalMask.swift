#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Signal-mask handling for spawning children.
enum SignalMask {
    /// Runs `body` (which spawns a child) with no signal blocked on the current thread, then
    /// restores the thread's mask.
    ///
    /// A child inherits the signal mask of the thread that spawns it, and Foundation's `Process`
    /// does not reset it. The threads of Swift's cooperative pool and of Dispatch block nearly every
    /// signal, so a child spawned from one of them would never see SIGTERM (Postgres and nginx reset
    /// their masks themselves; most programs do not). `body` must not suspend.
    static func withNoSignalsBlocked<Result>(_ body: () throws -> Result) rethrows -> Result {
        var empty = sigset_t()
        var previous = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        return try body()
    }
}
