import BazaarContracts
import BazaarCore
import BazaarTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing

@Suite("administration and audit")
struct AdminTests {
    @Test("the first administrator exists after start-up and can sign in; a restart creates no second one")
    func initialAdministrator() async throws {
        try await UserServiceHarness.run { service in
            let admin = try await service.adminSession()
            let me = try await service.send(.get, "/api/users/me", token: admin.accessToken).jsonObject()
            #expect(me["role"] as? String == "admin")
            let list = try await service.send(.get, "/api/users?q=bazaar.test", token: admin.accessToken).jsonObject()
            #expect(list["total"] as? Int == 1)
        }
    }

    @Test("admin endpoints need a token (401) and the admin role (403)")
    func roleChecks() async throws {
        try await UserServiceHarness.run { service in
            let customer = try await service.register()
            #expect(try await service.send(.get, "/api/users").status == .unauthorized)
            #expect(try await service.send(.get, "/api/users", token: customer.accessToken).status == .forbidden)
            #expect(try await service.send(.get, "/api/users/audit", token: customer.accessToken).status == .forbidden)
            #expect(try await service.send(.patch, "/api/users/\(customer.userID)", json: ["role": "admin"], token: customer.accessToken).status == .forbidden)
        }
    }

    @Test("an administrator demoted a moment ago cannot act as one with the token they hold, before any service hears of it")
    func demotedAdministrator() async throws {
        try await UserServiceHarness.run { service in
            let admin = try await service.adminSession()
            let user = try await service.register(email: "briefly-admin@example.com")
            #expect(try await service.send(.patch, "/api/users/\(user.userID)", json: ["role": "admin"], token: admin.accessToken).status == .ok)
            let promoted = try Session(try await service.login("briefly-admin@example.com", "correct-Horse-battery-9"))
            #expect(try await service.send(.get, "/api/users", token: promoted.accessToken).status == .ok)
            // Demoted without an event, as while user.updated is on its way or Kafka is down: only
            // the stored role can tell, and the token still says admin.
            try await service.service.execute("UPDATE users SET role = 'customer' WHERE id = \(try #require(UUID(uuidString: user.userID)))")
            for path in ["/api/users", "/api/users/audit"] {
                let response = try await service.send(.get, path, token: promoted.accessToken)
                #expect(response.status == .forbidden, "\(path)")
                #expect(response.text.contains("admin role"))
            }
            let patch = try await service.send(.patch, "/api/users/\(admin.userID)", json: ["disabled": true], token: promoted.accessToken)
            #expect(patch.status == .forbidden)
            #expect(try await service.send(.get, "/api/users", token: admin.accessToken).status == .ok)
        }
    }

    @Test("ADMIN_EMAIL naming an existing customer account stops start-up instead of making it an administrator")
    func initialAdministratorNeverPromotesCustomers() async throws {
        let executable = try LauncherBinary.locate(product: "bazaar-user")
        try await UserServiceHarness.run { service in
            let customer = try await service.register(email: "first-come@example.com")
            // No active administrator, so a start-up would have to make one.
            try await service.service.execute("UPDATE users SET disabled = true WHERE role = 'admin'")
            // The real executable on the same database, as an operator would start it.
            var environment = service.values
            environment.merge(["ADMIN_EMAIL": "first-come@example.com", "HOST": "127.0.0.1", "PORT": "0"]) { _, new in new }
            let start = try await ChildProcess.run(executable, [], environment: environment, atMost: .seconds(120))
            #expect(!start.timedOut, "the service started instead of refusing:\n\(start.output)")
            #expect(start.status == 78, "\(start.output)")
            #expect(start.output.contains("ADMIN_EMAIL") && start.output.contains("existing customer account"), "\(start.output)")
            let me = try await service.send(.get, "/api/users/me", token: customer.accessToken).jsonObject()
            #expect(me["role"] as? String == "customer")
        }
    }

    @Test("listing pages through users newest first and searches email and name literally")
    func listAndSearch() async throws {
        try await UserServiceHarness.run { service in
            let admin = try await service.adminSession()
            for index in 1...5 { _ = try await service.register(email: "shopper\(index)@example.com", name: "Shopper \(index)") }
            _ = try await service.register(email: "percent@example.com", name: "50%_off Fan")
            let page = try await service.send(.get, "/api/users?page=2&limit=2", token: admin.accessToken).jsonObject()
            #expect(page["total"] as? Int == 7)
            #expect(page["page"] as? Int == 2)
            #expect((page["items"] as? [[String: Any]])?.count == 2)
            let search = try await service.send(.get, "/api/users?q=SHOPPER3", token: admin.accessToken).jsonObject()
            #expect((search["items"] as? [[String: Any]])?.compactMap { $0["email"] as? String } == ["shopper3@example.com"])
            let literal = try await service.send(.get, "/api/users?q=50%25_", token: admin.accessToken).jsonObject()
            #expect(literal["total"] as? Int == 1)
            let wildcard = try await service.send(.get, "/api/users?q=%25", token: admin.accessToken).jsonObject()
            #expect(wildcard["total"] as? Int == 1)
            for query in ["page=0", "limit=101", "limit=abc", "page=-1"] {
                #expect(try await service.send(.get, "/api/users?\(query)", token: admin.accessToken).status == .badRequest, "\(query)")
            }
        }
    }

    @Test("disabling an account revokes its sessions, publishes user.updated and is audited with actor, target and address")
    func disableAccount() async throws {
        try await UserServiceHarness.run { service in
            let admin = try await service.adminSession()
            let user = try await service.register(email: "troublemaker@example.com")
            let response = try await service.send(.patch, "/api/users/\(user.userID)", json: ["disabled": true, "role": "customer"], token: admin.accessToken)
            #expect(response.status == .ok)
            #expect(try response.jsonObject()["disabled"] as? Bool == true)
            #expect(try await service.send(.post, "/api/auth/refresh", json: ["refreshToken": user.refreshToken]).status == .unauthorized)
            // Refused either way, for the same reason: 401 once this replica's follower of
            // user.updated has the change (as every service answers), 403 from the user
            // service's own account check before that. Clients treat both as "sign in again".
            let me = try await service.send(.get, "/api/users/me", token: user.accessToken)
            #expect([.unauthorized, .forbidden].contains(me.status))
            #expect(me.text.contains("disabled"))
            let messages = try await TestKafka.collect([service.usersTopic], count: 3, timeout: .seconds(30), settle: .seconds(1))
            let updates = try events(UserUpdated.self, in: messages)
            #expect(updates.map(\.data.changedFields) == [["disabled", "sessions"]])
            #expect(updates.first?.data.disabled == true)
            #expect(updates.first?.data.sessionsRevokedAt != nil)

            let audit = try await service.send(.get, "/api/users/audit?limit=200", token: admin.accessToken).jsonObject()
            let items = try #require(audit["items"] as? [[String: Any]])
            let entry = try #require(items.first { $0["action"] as? String == "admin.user_updated" })
            #expect(entry["actorId"] as? String == admin.userID)
            #expect(entry["targetId"] as? String == user.userID)
            #expect(entry["ipAddress"] as? String == service.clientAddress)
            #expect((entry["details"] as? [String: String])?["disabled"] == "false -> true")
            #expect(entry["occurredAt"] is String)
            #expect(entry["requestId"] is String)
            let actions = Set(items.compactMap { $0["action"] as? String })
            #expect(actions.isSuperset(of: ["user.registered", "login.succeeded", "admin.bootstrapped", "admin.user_updated"]))
        }
    }

    @Test("promotion to admin works; administrators cannot change themselves; unknown ids are 404")
    func roleChanges() async throws {
        try await UserServiceHarness.run { service in
            let admin = try await service.adminSession()
            let user = try await service.register(email: "promoted@example.com")
            let promoted = try await service.send(.patch, "/api/users/\(user.userID)", json: ["role": "admin"], token: admin.accessToken)
            #expect(try promoted.jsonObject()["role"] as? String == "admin")
            let session = try Session(try await service.login("promoted@example.com", "correct-Horse-battery-9"))
            #expect(try await service.send(.get, "/api/users", token: session.accessToken).status == .ok)
            #expect(try await service.send(.patch, "/api/users/\(admin.userID)", json: ["disabled": true], token: admin.accessToken).status == .conflict)
            #expect(try await service.send(.patch, "/api/users/\(UUID().uuidString)", json: ["disabled": true], token: admin.accessToken).status == .notFound)
            #expect(try await service.send(.patch, "/api/users/\(user.userID)", json: ["role": "superuser"], token: admin.accessToken).status == .badRequest)
            #expect(try await service.send(.patch, "/api/users/\(user.userID)", json: [:], token: admin.accessToken).status == .badRequest)
        }
    }

    @Test("failed sign-ins and lockouts are audited with the address they came from")
    func securityEventsAudited() async throws {
        try await UserServiceHarness.run { service in
            _ = try await service.register(email: "target@example.com")
            for attempt in 1...6 { _ = try await service.login("target@example.com", "wrong-Guess-\(attempt)x", from: "203.0.113.9") }
            let admin = try await service.adminSession()
            let items = try #require(try await service.send(.get, "/api/users/audit?limit=200", token: admin.accessToken).jsonObject()["items"] as? [[String: Any]])
            let failures = items.filter { $0["action"] as? String == "login.failed" && $0["targetEmail"] as? String == "target@example.com" }
            #expect(failures.count == 5)
            #expect(failures.allSatisfy { $0["ipAddress"] as? String == "203.0.113.9" })
            #expect(items.contains { $0["action"] as? String == "login.locked_out" && $0["targetEmail"] as? String == "target@example.com" })
        }
    }
}
