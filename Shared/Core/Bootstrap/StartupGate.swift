import Logging
import ServiceLifecycle
import Synchronization

/// A one-way gate: waiters go on once it is opened, before or after they came.
///
/// The host opens one once a service's start-up tasks (migrations, indexes, the first
/// administrator) are done; background work waits for it, so a relay, consumer or cleanup never
/// touches a table that does not exist yet (on an empty database that logged errors on every
/// first start). `PostgresStore` opens one when its pool starts running.
public final class StartupGate: Sendable {
    private struct State {
        var isOpen = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Lets every waiter, present and future, go on.
    public func open() {
        let waiters = state.withLock { state in
            state.isOpen = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    public var isOpen: Bool { state.withLock { $0.isOpen } }

    /// Returns once the gate is open, or at once when the task is cancelled.
    public func wait() async {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.isOpen || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}

/// A background service that starts only once the host's start-up tasks are done; if the
/// service is shut down before that, it never starts.
struct GatedService: Service {
    let service: any Service
    let gate: StartupGate

    func run() async throws {
        // Shutdown while waiting ends the wait (cancellation) without running the service.
        await cancelWhenGracefulShutdown { await gate.wait() }
        guard gate.isOpen, !Task.isCancelled, !Task.isShuttingDownGracefully else { return }
        try await service.run()
    }
}

/// Logs a background service's failure the moment it happens. The failure stops the whole
/// service (the group cancels everything else), but the group reports it only once every other
/// part has stopped, which a part slow to stop can delay indefinitely: the cause must not wait.
struct ReportedService: Service {
    let service: any Service
    let name: String
    let logger: Logger

    init(service: any Service, name: String? = nil, logger: Logger) {
        self.service = service
        self.name = name ?? String(describing: type(of: service))
        self.logger = logger
    }

    func run() async throws {
        do {
            try await service.run()
            if !Task.isCancelled && !Task.isShuttingDownGracefully {
                logger.critical("background service ended by itself; the service stops", metadata: ["part": .string(name)])
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            logger.critical("background service failed; the service stops", metadata: ["part": .string(name), "error": .string(String(reflecting: error))])
            throw error
        }
    }
}
