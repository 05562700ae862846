import BazaarCore
import BazaarRedis
import BazaarTestSupport
import Foundation
import Logging

/// What every Redis test shares: clients of the shared test server (or of a private one), a key
/// prefix of its own per test so tests running in parallel never see each other's keys, and
/// metrics a test can read back.
enum RedisFixture {
    /// A prefix no other test uses, e.g. `test:3f9a1c2e`.
    static func uniquePrefix() -> String {
        "test:" + UUID().uuidString.prefix(8).lowercased()
    }

    /// Runs `body` with a client of `url` (the shared test server by default) and shuts it down.
    static func withClient<Result: Sendable>(url: String? = nil, poolSize: Int = 4, commandTimeout: Duration = .seconds(1),
                                             metrics: ServiceMetrics = ServiceMetrics(),
                                             _ body: (RedisClient) async throws -> Result) async throws -> Result {
        var configuration = try RedisConfiguration(url: try url ?? TestInfrastructure.redisURL())
        configuration.poolSize = poolSize
        configuration.commandTimeout = commandTimeout
        configuration.connectTimeout = .milliseconds(500)
        let client = RedisClient(configuration: configuration, logger: Logger(label: "test-redis"), metricsFactory: metrics.factory)
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }

}

extension ServiceMetrics {
    /// The exposition as text.
    var text: String { String(decoding: exposition(), as: UTF8.self) }

    /// The value of the sample line starting with `series` (name and labels as exposed), or 0.
    func value(of series: String) -> Double {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.split(separator: " ").last ?? "") ?? 0
        }
        return 0
    }
}
