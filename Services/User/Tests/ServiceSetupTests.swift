@testable import BazaarUser
import BazaarCore
import BazaarTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOPosix
import Synchronization
import Testing

@Suite("service set-up")
struct ServiceSetupTests {
    @Test("defaults: bcrypt cost 12, 15-minute access tokens, 7-day refresh tokens, 30-minute reset links, 5/100/100 failures (account and address / account / address) in 15 minutes")
    func defaults() throws {
        let settings = try UserSettings.from(Settings([:]))
        #expect(settings.bcryptCost == 12)
        #expect(settings.accessTokenLifetime == .seconds(900))
        #expect(settings.refreshTokenLifetime == .seconds(604_800))
        #expect(settings.passwordResetLifetime == .seconds(1_800))
        #expect(settings.loginLimits.failuresPerAccountAndAddress == 5)
        #expect(settings.loginLimits.failuresPerAccount == 100)
        #expect(settings.loginLimits.failuresPerAddress == 100)
        #expect(settings.loginLimits.window == .seconds(900))
        #expect(throws: ConfigurationError.self) { try UserSettings.from(Settings(["BCRYPT_COST": "3"])) }
        #expect(throws: ConfigurationError.self) { try UserSettings.from(Settings(["ADMIN_PASSWORD": "only-the-password-1"])) }
    }

    @Test("a missing or malformed signing key stops start-up naming the variable; a key file can be generated")
    func signingKeyConfiguration() throws {
        let missing = #expect(throws: ConfigurationError.self) { try KeyRing.load(from: Settings([:])) }
        #expect(missing?.variable == "JWT_SIGNING_KEY")
        let malformed = #expect(throws: ConfigurationError.self) { try KeyRing.load(from: Settings(["JWT_SIGNING_KEY": "nope"])) }
        #expect(malformed?.variable == "JWT_SIGNING_KEY")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keyring-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("secrets/signing.pem").path
        let absent = #expect(throws: ConfigurationError.self) { try KeyRing.load(from: Settings(["JWT_SIGNING_KEY_FILE": file])) }
        #expect(absent?.variable == "JWT_SIGNING_KEY_FILE")
        let generated = try KeyRing.load(from: Settings(["JWT_SIGNING_KEY_FILE": file, "JWT_SIGNING_KEY_GENERATE": "true"]))
        #expect((try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) == 0o600)
        let reloaded = try KeyRing.load(from: Settings(["JWT_SIGNING_KEY_FILE": file, "JWT_SIGNING_KEY_GENERATE": "true"]))
        #expect(generated.signingKeyID == reloaded.signingKeyID)
    }

    @Test("a first start on an empty database logs no warning or error: background work waits for the migrations")
    func cleanFirstStart() async throws {
        try await UserServiceHarness.run { service in
            _ = try await service.register()
            // The relay has run (it published the registration) and the cleanup has started.
            let messages = try await TestKafka.collect([service.usersTopic], count: 1, timeout: .seconds(60))
            #expect(!messages.isEmpty)
            // The relay shows in the metrics (the notification service, which runs none, has no such line).
            try await eventually("the relay's published counter in /metrics above 0") {
                let lines = try await service.client.execute(uri: "/metrics", method: .get).text.split(separator: "\n")
                return lines.contains { $0.hasPrefix("outbox_published_total ") && !$0.hasSuffix(" 0") }
            }
            let loud = try service.logs.entries().filter { ["warning", "error", "critical"].contains($0["level"] as? String ?? "") }
            #expect(loud.isEmpty, "\(loud)")
        }
    }

    @Test("passwords are stored as bcrypt hashes at the configured cost")
    func storedHashCost() async throws {
        let hasher = try await PasswordHasher.make(cost: 12)
        let hash = try await hasher.hash("correct-Horse-battery-9")
        #expect(hash.hasPrefix("$2b$12$") || hash.hasPrefix("$2a$12$") || hash.hasPrefix("$2y$12$"), "\(hash)")
        #expect(try await hasher.verify("correct-Horse-battery-9", against: hash))
        #expect(try await !hasher.verify("correct-Horse-battery-8", against: hash))
    }

    @Test("bcrypt runs on the hasher's blocking thread pool, not on the caller's thread")
    func bcryptRunsOnThreadPool() async throws {
        // The pool's only thread is held by a blocker: a verification must wait for it (on the
        // caller's thread it would finish at once); released, it completes.
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        defer { pool.shutdownGracefully { _ in } }
        let hasher = try await PasswordHasher.make(cost: 4, threadPool: pool)
        let gate = DispatchSemaphore(value: 0)
        let blocker = Task { try await pool.runIfActive { gate.wait() } }
        let finished = Atomic<Bool>(false)
        let verification = Task {
            let result = try await hasher.verify("not-the-password", against: hasher.decoyHash)
            finished.store(true, ordering: .sequentiallyConsistent)
            return result
        }
        try await Task.sleep(for: .seconds(1))
        let finishedWhileBlocked = finished.load(ordering: .sequentiallyConsistent)
        #expect(!finishedWhileBlocked, "the verification ran although the pool's thread was busy")
        gate.signal()
        try await blocker.value
        #expect(try await verification.value == false)
        let finishedAfterwards = finished.load(ordering: .sequentiallyConsistent)
        #expect(finishedAfterwards)
    }

    @Test("/openapi.json documents every endpoint the service routes")
    func openAPIDocument() async throws {
        try await UserServiceHarness.run { service in
            let response = try await service.send(.get, "/openapi.json")
            #expect(response.status == .ok)
            let paths = try #require(try response.jsonObject()["paths"] as? [String: [String: Any]])
            #expect(paths["/api/auth/register"]?["post"] != nil)
            #expect(service.undocumentedRoutes.isEmpty, "not in openapi.json: \(service.undocumentedRoutes)")
        }
    }
}
