import BazaarContracts
import BazaarCore
import BazaarKafka
import BazaarMessaging
import BazaarTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Account changes refuse older tokens")
struct AccountChangeTests {
    @Test("after user.updated, a disabled account's tokens and a stale role's tokens are refused; others keep working")
    func followsUserUpdates() async throws {
        let key = TestSigningKey()
        let prefix = TestKafka.uniquePrefix()
        let host = try Self.followingHost(key: key, prefix: prefix)
        // Published before the service starts: a replica that starts later still learns them.
        try await Self.publish([
            Self.updated("u-disabled", role: "customer", disabled: true),
            Self.updated("u-demoted", role: "customer", disabled: false),
            Self.updated("u-renamed", role: "customer", disabled: false),
            Self.updated("u-long-ago", role: "customer", disabled: true, at: Date().addingTimeInterval(-7200)),
            Self.updated("u-reenabled", role: "customer", disabled: true),
            Self.updated("u-reenabled", role: "customer", disabled: false),
        ], prefix: prefix)
        let standings = host.accountStandings
        try await host.makeApplication().test(.live) { client in
            // Four accounts known, and u-reenabled's second change (same partition, so after its first) applied.
            try await eventually("the follower to catch up with the account changes") {
                standings.count >= 4 && standings.refusal(for: Identity(userID: "u-reenabled", role: .customer)) == nil
            }
            #expect(standings.count == 4, "the change from two hours ago is not kept")
            func status(_ userID: String, _ role: Role = .customer) async throws -> HTTPResponse.Status {
                let token = try await key.sign(TestSigningKey.claims(role: role, userID: userID))
                return try await client.execute(uri: "/whoami", method: .get, headers: [.authorization: "Bearer \(token)"]).status
            }
            #expect(try await status("u-disabled") == .unauthorized)
            #expect(try await status("u-demoted", .admin) == .unauthorized)
            #expect(try await status("u-demoted", .customer) == .ok)
            #expect(try await status("u-renamed") == .ok)
            #expect(try await status("u-long-ago") == .ok)
            #expect(try await status("u-reenabled") == .ok)
            #expect(try await status("u-unknown", .admin) == .ok)
            let refused = try await client.execute(uri: "/whoami", method: .get,
                                                   headers: [.authorization: "Bearer \(try await key.sign(TestSigningKey.claims(userID: "U-DISABLED")))"])
            #expect(refused.status == .unauthorized)
            #expect(refused.text.contains("disabled"))
        }
    }

    @Test("standings: the newest change wins, and changes older than the window are forgotten")
    func standingsRules() {
        let standings = AccountStandings(window: .seconds(900))
        let now = Date()
        standings.record(userID: "u-1", role: "admin", disabled: false, changedAt: now.addingTimeInterval(-10), now: now)
        standings.record(userID: "u-1", role: "customer", disabled: false, changedAt: now.addingTimeInterval(-20), now: now)
        #expect(standings.refusal(for: Identity(userID: "u-1", role: .admin), now: now) == nil, "an older, redelivered change does not win")
        #expect(standings.refusal(for: Identity(userID: "u-1", role: .customer), now: now) != nil)
        #expect(standings.refusal(for: Identity(userID: "u-1", role: .customer), now: now.addingTimeInterval(900)) == nil, "past the window")
        standings.record(userID: "u-2", role: "customer", disabled: true, changedAt: now.addingTimeInterval(-1000), now: now)
        #expect(standings.count == 1)
    }

    @Test("standings: tokens issued before the account's sessions ended, and tokens of a signed-out session, are refused")
    func endedSessions() {
        let standings = AccountStandings(window: .seconds(900))
        let now = Date()
        let revokedAt = now.addingTimeInterval(-30)
        // A logout names its session; a password change ends every session before a moment.
        standings.record(AccountStandings.Change(userID: "u-1", role: "customer", disabled: false, changedAt: now.addingTimeInterval(-5000),
                                                 revokedSessionID: "S-1", occurredAt: now.addingTimeInterval(-60)), now: now)
        standings.record(AccountStandings.Change(userID: "u-1", role: "customer", disabled: false, changedAt: now.addingTimeInterval(-5000),
                                                 sessionsRevokedAt: revokedAt), now: now)
        // A redelivered older event takes nothing back.
        standings.record(AccountStandings.Change(userID: "u-1", role: "customer", disabled: false, changedAt: now.addingTimeInterval(-5000),
                                                 sessionsRevokedAt: now.addingTimeInterval(-300)), now: now)
        func identity(issued: TimeInterval, session: String?) -> Identity {
            Identity(userID: "U-1", role: .customer, issuedAt: now.addingTimeInterval(issued), sessionID: session)
        }
        #expect(standings.refusal(for: identity(issued: -31, session: "s-2"), now: now)?.contains("sessions were ended") == true)
        #expect(standings.refusal(for: identity(issued: -29, session: "s-2"), now: now) == nil, "issued after the sessions ended")
        #expect(standings.refusal(for: identity(issued: -10, session: "s-1"), now: now)?.contains("signed out") == true)
        #expect(standings.refusal(for: identity(issued: -10, session: nil), now: now) == nil)
        #expect(standings.refusal(for: identity(issued: -31, session: "s-2"), now: now.addingTimeInterval(900)) == nil, "past the window")
        #expect(standings.count == 1)
        standings.record(AccountStandings.Change(userID: "u-3", role: "customer", disabled: false, changedAt: now.addingTimeInterval(-5000),
                                                 sessionsRevokedAt: now.addingTimeInterval(-1000)), now: now)
        #expect(standings.count == 1, "an ending older than the window is not kept")
    }

    @Test("after user.updated ending sessions, older tokens and the signed-out session's tokens are refused in another service")
    func followsEndedSessions() async throws {
        let key = TestSigningKey()
        let prefix = TestKafka.uniquePrefix()
        let host = try Self.followingHost(key: key, prefix: prefix)
        let revokedAt = Date().addingTimeInterval(-60)
        var passwordChanged = Self.updated("u-password", role: "customer", disabled: false, at: Date().addingTimeInterval(-86_400))
        passwordChanged.sessionsRevokedAt = revokedAt
        var signedOut = Self.updated("u-logout", role: "customer", disabled: false, at: Date().addingTimeInterval(-86_400))
        signedOut.revokedSessionId = "session-out"
        try await Self.publish([passwordChanged, signedOut], prefix: prefix)
        let standings = host.accountStandings
        try await host.makeApplication().test(.live) { client in
            try await eventually("the follower to learn both endings") { standings.count == 2 }
            func status(_ userID: String, issuedAt: Date = Date(), session: String? = nil) async throws -> HTTPResponse.Status {
                var claims = TestSigningKey.claims(userID: userID, issuedAt: issuedAt)
                claims.sid = session
                let token = try await key.sign(claims)
                return try await client.execute(uri: "/whoami", method: .get, headers: [.authorization: "Bearer \(token)"]).status
            }
            #expect(try await status("u-password", issuedAt: revokedAt.addingTimeInterval(-1)) == .unauthorized)
            #expect(try await status("u-password", issuedAt: revokedAt.addingTimeInterval(1)) == .ok)
            #expect(try await status("u-logout", session: "session-out") == .unauthorized)
            #expect(try await status("u-logout", session: "session-still-in") == .ok)
        }
    }

    /// A service host that trusts `key`, follows account changes on topics with `prefix`, and
    /// answers `GET /whoami` with the caller's user id.
    static func followingHost(key: TestSigningKey, prefix: String) throws -> ServiceHost {
        var host = try ServiceHost.testing([
            "KAFKA_BROKERS": try TestInfrastructure.kafkaBrokers().joined(separator: ","), "KAFKA_TOPIC_PREFIX": prefix,
            "KAFKA_STATISTICS_INTERVAL_SECONDS": "0", "JWT_PUBLIC_KEY": key.publicKeyPEM, "JWT_KEY_ID": key.keyID,
            "ACCOUNT_CHANGE_WINDOW_SECONDS": "3600",
        ])
        try host.followAccountChanges(try KafkaSettings.from(host.settings))
        host.router.get("/whoami") { _, context in try context.requireUser().userID }
        return host
    }

    static func updated(_ userID: String, role: String, disabled: Bool, at: Date = Date()) -> UserUpdated {
        UserUpdated(userId: userID, email: "\(userID)@example.com", name: userID, role: role, disabled: disabled,
                    changedFields: ["disabled"], updatedAt: at)
    }

    static func publish(_ payloads: [UserUpdated], prefix: String) async throws {
        try await TestKafka.withProducer { producer in
            for payload in payloads {
                let event = CloudEvent(payload, source: "bazaar/test", id: UUID().uuidString.lowercased(), traceparent: nil, requestID: nil)
                _ = try await producer.send(outboxMessage(topic: TopicCatalog.users.name(prefix: prefix), key: event.subject, eventID: event.id,
                                                          eventType: event.type, traceparent: nil,
                                                          payload: String(decoding: try EventCodec.encode(event), as: UTF8.self)))
            }
        }
    }
}
