import BazaarTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("addresses")
struct AddressTests {
    static let home: [String: any Sendable] = [
        "name": "Ada Lovelace", "line1": "12 Market Street", "city": "London", "postalCode": "EC1A 1BB", "country": "gb", "phone": "+44 20 7946 0000",
    ]

    @Test("addresses are created, listed, replaced and deleted; the first is the default")
    func lifecycle() async throws {
        try await UserServiceHarness.run { service in
            let session = try await service.register()
            let created = try await service.send(.post, "/api/users/me/addresses", json: Self.home, token: session.accessToken)
            #expect(created.status == .created)
            let first = try created.jsonObject()
            let firstID = try #require(first["id"] as? String)
            #expect(created.headers[.location] == "/api/users/me/addresses/\(firstID)")
            #expect(first["country"] as? String == "GB")
            #expect(first["isDefault"] as? Bool == true)
            var work = Self.home
            work["line1"] = "1 Factory Lane"
            work["isDefault"] = true
            let second = try await service.send(.post, "/api/users/me/addresses", json: work, token: session.accessToken).jsonObject()
            let secondID = try #require(second["id"] as? String)
            var list = try #require(try await service.send(.get, "/api/users/me/addresses", token: session.accessToken).jsonObject()["items"] as? [[String: Any]])
            #expect(list.count == 2)
            #expect(list.filter { $0["isDefault"] as? Bool == true }.map { $0["id"] as? String } == [secondID])
            var replaced = Self.home
            replaced["city"] = "Cambridge"
            replaced["line2"] = "Flat 3"
            let put = try await service.send(.put, "/api/users/me/addresses/\(firstID)", json: replaced, token: session.accessToken)
            #expect(put.status == .ok)
            #expect(try put.jsonObject()["city"] as? String == "Cambridge")
            #expect(try await service.send(.delete, "/api/users/me/addresses/\(secondID)", token: session.accessToken).status == .noContent)
            list = try #require(try await service.send(.get, "/api/users/me/addresses", token: session.accessToken).jsonObject()["items"] as? [[String: Any]])
            #expect(list.map { $0["id"] as? String } == [firstID])
            #expect(list.first?["isDefault"] as? Bool == true)
            #expect(try await service.send(.delete, "/api/users/me/addresses/\(secondID)", token: session.accessToken).status == .notFound)
        }
    }

    @Test("another user's address id behaves like an unknown one")
    func otherUsersAddress() async throws {
        try await UserServiceHarness.run { service in
            let owner = try await service.register()
            let intruder = try await service.register()
            let id = try #require(try await service.send(.post, "/api/users/me/addresses", json: Self.home, token: owner.accessToken).jsonObject()["id"] as? String)
            #expect(try await service.send(.put, "/api/users/me/addresses/\(id)", json: Self.home, token: intruder.accessToken).status == .notFound)
            #expect(try await service.send(.delete, "/api/users/me/addresses/\(id)", token: intruder.accessToken).status == .notFound)
            #expect(try await service.send(.delete, "/api/users/me/addresses/not-a-uuid", token: intruder.accessToken).status == .notFound)
            let list = try await service.send(.get, "/api/users/me/addresses", token: intruder.accessToken).jsonObject()["items"] as? [[String: Any]]
            #expect(list?.isEmpty == true)
            #expect(try await service.send(.get, "/api/users/me/addresses").status == .unauthorized)
        }
    }

    @Test("invalid addresses are refused field by field; at most 20 per account")
    func validation() async throws {
        try await UserServiceHarness.run { service in
            let session = try await service.register()
            let bad: [String: any Sendable] = ["name": "", "line1": "x", "city": "London", "postalCode": "<script>", "country": "XX", "phone": "call me"]
            let response = try await service.send(.post, "/api/users/me/addresses", json: bad, token: session.accessToken)
            #expect(response.status == .badRequest)
            #expect(Set(try response.problemFields()) == ["name", "postalCode", "country", "phone"])
            // Null is "no such line" for line2 and phone only; isDefault is true or false.
            let nullDefault = try await service.send(.post, "/api/users/me/addresses", raw: #"{"name":"Ada","line1":"1 Road","city":"London","postalCode":"N1 9GU","country":"GB","isDefault":null}"#,
                                                     token: session.accessToken)
            #expect(nullDefault.status == .badRequest)
            #expect(try nullDefault.problemFields() == ["isDefault"])
            for _ in 1...20 {
                #expect(try await service.send(.post, "/api/users/me/addresses", json: Self.home, token: session.accessToken).status == .created)
            }
            #expect(try await service.send(.post, "/api/users/me/addresses", json: Self.home, token: session.accessToken).status == .conflict)
        }
    }
}
