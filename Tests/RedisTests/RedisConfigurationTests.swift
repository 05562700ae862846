import BazaarCore
import BazaarRedis
import BazaarTestSupport
import Hummingbird
import HummingbirdTesting
import Foundation
import Testing

@Suite("Redis configuration")
struct RedisConfigurationTests {
    @Test("REDIS_URL gives host, port, credentials and database; the pool settings have defaults")
    func parsesURL() throws {
        let configuration = try RedisConfiguration.from(Settings(["REDIS_URL": "redis://:s%40cret@cache.internal:6380/3"]))
        #expect(configuration.host == "cache.internal")
        #expect(configuration.port == 6380)
        #expect(configuration.username == nil)
        #expect(configuration.password == "s@cret")
        #expect(configuration.database == 3)
        #expect(configuration.poolSize == 8)
        #expect(configuration.connectTimeout == .milliseconds(1000))
        #expect(configuration.commandTimeout == .milliseconds(1000))

        let minimal = try RedisConfiguration.from(Settings([
            "REDIS_URL": "redis://bazaar:pw@127.0.0.1", "REDIS_POOL_SIZE": "2",
            "REDIS_CONNECT_TIMEOUT_MS": "250", "REDIS_COMMAND_TIMEOUT_MS": "75",
        ]))
        #expect(minimal.port == 6379)
        #expect(minimal.database == 0)
        #expect(minimal.username == "bazaar")
        #expect(minimal.password == "pw")
        #expect(minimal.poolSize == 2)
        #expect(minimal.connectTimeout == .milliseconds(250))
        #expect(minimal.commandTimeout == .milliseconds(75))
    }

    @Test("invalid or missing settings name the variable", arguments: [
        ([:], "REDIS_URL"),
        (["REDIS_URL": "rediss://cache:6380/0"], "REDIS_URL"),
        (["REDIS_URL": "http://cache:6379"], "REDIS_URL"),
        (["REDIS_URL": "redis://cache:6379/zero"], "REDIS_URL"),
        (["REDIS_URL": "redis:///0"], "REDIS_URL"),
        (["REDIS_URL": "redis://cache:6379/0?ssl=true"], "REDIS_URL"),
        (["REDIS_URL": "redis://cache", "REDIS_POOL_SIZE": "0"], "REDIS_POOL_SIZE"),
        (["REDIS_URL": "redis://cache", "REDIS_COMMAND_TIMEOUT_MS": "soon"], "REDIS_COMMAND_TIMEOUT_MS"),
        (["REDIS_URL": "redis://cache", "REDIS_CONNECT_TIMEOUT_MS": "-1"], "REDIS_CONNECT_TIMEOUT_MS"),
    ])
    func invalidSettings(values: [String: String], variable: String) {
        let error = #expect(throws: ConfigurationError.self) { try RedisConfiguration.from(Settings(values)) }
        #expect(error?.variable == variable)
    }

    @Test("rediss is refused with a message about TLS, and passwords are not echoed")
    func tlsRefused() {
        let error = #expect(throws: ConfigurationError.self) {
            try RedisConfiguration.from(Settings(["REDIS_URL": "rediss://:hunter2@cache:6380/0"]))
        }
        #expect(error?.description.contains("TLS") == true)
        let other = #expect(throws: ConfigurationError.self) {
            try RedisConfiguration.from(Settings(["REDIS_URL": "redis://:hunter2@cache:6379/x"]))
        }
        #expect(other?.description.contains("hunter2") == false)
        let scheme = #expect(throws: ConfigurationError.self) {
            try RedisConfiguration.from(Settings(["REDIS_URL": "http://:hunter2@cache:6379"]))
        }
        #expect(scheme?.description.contains("hunter2") == false)
    }

    @Test("addRedis fails start-up on a bad REDIS_URL")
    func addRedisRejectsBadURL() throws {
        var host = try ServiceHost.testing(["REDIS_URL": "rediss://cache:6380"])
        let error = #expect(throws: ConfigurationError.self) { try host.addRedis(required: true) }
        #expect(error?.variable == "REDIS_URL")
    }

    @Test("addRedis reports redis at /health/ready")
    func addRedisReportsHealth() async throws {
        var host = try ServiceHost.testing(["REDIS_URL": try TestInfrastructure.redisURL()])
        let redis = try host.addRedis(required: true)
        try await redis.ping()
        try await host.makeApplication().test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .ok)
                let report = try JSONDecoder().decode(HealthReport.self, from: Data(response.body.readableBytesView))
                #expect(report.checks["redis"]?.status == "connected")
                #expect(report.checks["redis"]?.required == true)
            }
        }
        await redis.shutdown()
    }
}
