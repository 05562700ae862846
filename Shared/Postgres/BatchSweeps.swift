public import Logging
import ServiceLifecycle

/// Runs `sweep` every `interval` until the service shuts down: each round sweeps again at once
/// while a batch came back full (`batchSize` items), and logs a failed round as `failure` with
/// the database's own message, then waits for the next. How background sweeps over Postgres rows
/// (expired holds, orders past their deadline) run, each in its own transactions.
public func runBatchSweeps(every interval: Duration, batchSize: Int, logger: Logger, failure: String,
                           _ sweep: () async throws -> Int) async {
    while !Task.isCancelled && !Task.isShuttingDownGracefully {
        do {
            while try await sweep() == batchSize {}
        } catch {
            logger.error("\(failure)", metadata: ["error": .string(PostgresFailure.describe(error))])
        }
        do {
            try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        } catch {
            return  // cancelled or shutting down
        }
    }
}
