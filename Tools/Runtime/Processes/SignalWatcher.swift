import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGINT, SIGTERM and SIGHUP into calls of a handler, through Dispatch signal sources.
///
/// The default action is ignored first (`signal(_, SIG_IGN)`) so the process survives until the
/// handler runs. Children still get default dispositions: on Linux, libdispatch then installs a real
/// handler, which `exec` resets, and children are started only after this watcher exists.
final class SignalWatcher: Sendable {
    /// The signals that ask the launcher to stop.
    static let stopSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    private let sources: Mutex<[any DispatchSourceSignal]>

    /// Starts watching `signals` (plus SIGPIPE, which is swallowed so a closed terminal or pipe
    /// cannot kill the launcher before it stops its children).
    init(signals: [Int32] = stopSignals, handler: @escaping @Sendable (Int32) -> Void) {
        let queue = DispatchQueue(label: "bazaar.signals")
        // A parent may have started us with these signals blocked (a child inherits the mask of
        // the thread that spawned it); unblock them here so at least this thread can receive them.
        var watched = sigset_t()
        sigemptyset(&watched)
        signals.forEach { sigaddset(&watched, $0) }
        pthread_sigmask(SIG_UNBLOCK, &watched, nil)
        var created: [any DispatchSourceSignal] = []
        for number in signals + [SIGPIPE] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            if number != SIGPIPE {
                source.setEventHandler { handler(number) }
            }
            source.resume()
            created.append(source)
        }
        sources = Mutex(created)
    }

    /// Stops watching; the signals stay ignored.
    func cancel() {
        sources.withLock { sources in
            sources.forEach { $0.cancel() }
            sources.removeAll()
        }
    }

    /// The conventional name of a stop signal, for messages.
    static func name(of number: Int32) -> String {
        switch number {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        case SIGHUP: "SIGHUP"
        default: "signal \(number)"
        }
    }
}
