import BazaarContracts
import BazaarTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("profile")
struct ProfileTests {
    @Test("the profile needs a token; a name change is saved, published and audited")
    func updateName() async throws {
        try await UserServiceHarness.run { service in
            #expect(try await service.send(.get, "/api/users/me").status == .unauthorized)
            let session = try await service.register(email: "profile@example.com", name: "Old Name")
            let response = try await service.send(.patch, "/api/users/me", json: ["name": "  New Name "], token: session.accessToken)
            #expect(response.status == .ok)
            #expect(try response.jsonObject()["name"] as? String == "New Name")
            // GET writes its JSON directly; it must say exactly what the encoder says for PATCH.
            let shown = try await service.send(.get, "/api/users/me", token: session.accessToken)
            #expect(shown.headers[.contentType] == response.headers[.contentType])
            #expect(try shown.jsonObject() as NSDictionary == response.jsonObject() as NSDictionary,
                    "\(String(buffer: shown.body)) vs \(String(buffer: response.body))")
            #expect(try shown.jsonObject()["name"] as? String == "New Name")
            // The same name again changes nothing and publishes nothing.
            #expect(try await service.send(.patch, "/api/users/me", json: ["name": "New Name"], token: session.accessToken).status == .ok)
            let messages = try await TestKafka.collect([service.usersTopic], count: 3, timeout: .seconds(30), settle: .seconds(1))
            let updates = try events(UserUpdated.self, in: messages)
            #expect(updates.count == 1)
            #expect(updates.first?.data.name == "New Name")
            #expect(updates.first?.data.changedFields == ["name"])
            #expect(updates.first?.subject == session.userID)
        }
    }

    @Test("invalid profile changes are 400 with field errors")
    func invalidName() async throws {
        try await UserServiceHarness.run { service in
            let session = try await service.register()
            for body: [String: any Sendable] in [["name": ""], ["name": String(repeating: "x", count: 101)], ["name": 5], [:], ["name": "a\u{7}b"]] {
                let response = try await service.send(.patch, "/api/users/me", json: body, token: session.accessToken)
                #expect(response.status == .badRequest, "\(body)")
            }
        }
    }
}
