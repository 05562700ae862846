import Logging
import ServiceLifecycle

/// Deletes refresh and reset tokens a day after they expired, hourly, so the tables stay small.
struct ExpiredTokenCleanup: Service {
    let dependencies: UserDependencies
    var interval: Duration = .seconds(3600)

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await dependencies.database.withConnection { try await dependencies.sessions.deleteExpired(on: $0) }
            } catch {
                dependencies.logger.error("could not delete expired tokens", metadata: ["error": .string("\(error)")])
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return  // cancelled or shutting down
            }
        }
    }
}
