import BazaarContracts
import BazaarKafka
import BazaarTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("registration")
struct RegistrationTests {
    @Test("registering returns the user and a token pair; the email is stored trimmed and lower-cased")
    func registers() async throws {
        try await UserServiceHarness.run { service in
            let response = try await service.send(.post, "/api/auth/register",
                                                  json: ["email": "  Grace.Hopper@Example.COM ", "password": "cobol-Compiler-1959", "name": " Grace Hopper "])
            #expect(response.status == .created)
            #expect(response.headers[.cacheControl] == "no-store")
            let body = try response.jsonObject()
            let user = try #require(body["user"] as? [String: Any])
            #expect(user["email"] as? String == "grace.hopper@example.com")
            #expect(user["name"] as? String == "Grace Hopper")
            #expect(user["role"] as? String == "customer")
            #expect((user["createdAt"] as? String)?.hasSuffix("Z") == true)
            #expect(body["tokenType"] as? String == "Bearer")
            #expect(body["expiresIn"] as? Int == 900)
            #expect(body["refreshExpiresIn"] as? Int == 7 * 24 * 3600)
            let session = try Session(response)
            let me = try await service.send(.get, "/api/users/me", token: session.accessToken)
            #expect(me.status == .ok)
            #expect(try me.jsonObject()["email"] as? String == "grace.hopper@example.com")
        }
    }

    @Test("a second registration of one mailbox, however it is spelled, is a 409 and changes nothing")
    func duplicateEmail() async throws {
        try await UserServiceHarness.run { service in
            _ = try await service.register(email: "dup@example.com")
            let again = try await service.send(.post, "/api/auth/register",
                                               json: ["email": "DUP@example.com ", "password": "another-Good-pass-42", "name": "Someone Else"])
            #expect(again.status == .conflict)
            #expect(again.headers[.contentType] == "application/problem+json")
            let login = try await service.login("dup@example.com", "another-Good-pass-42")
            #expect(login.status == .unauthorized)
        }
    }

    @Test("weak, short, common and account-derived passwords are refused with field errors")
    func passwordPolicy() async throws {
        try await UserServiceHarness.run { service in
            for password in ["short1!", "password123", "Password2026!", "1234567890", "qwertyuiop", "aaaaaaaaaaaa", "alan.turing@example.com"] {
                let response = try await service.send(.post, "/api/auth/register",
                                                      json: ["email": "alan.turing@example.com", "password": password, "name": "Alan Turing"])
                #expect(response.status == .badRequest, "\(password) was accepted")
                #expect(try response.problemFields() == ["password"], "\(password): \(response.text)")
            }
            let tooLong = String(repeating: "ü", count: 40)  // 80 bytes: bcrypt would ignore the tail
            let response = try await service.send(.post, "/api/auth/register", json: ["email": "a@example.com", "password": tooLong, "name": "A"])
            #expect(try response.problemFields() == ["password"])
        }
    }

    @Test("every invalid field is reported at once, and nothing is stored")
    func fieldErrors() async throws {
        try await UserServiceHarness.run { service in
            let response = try await service.send(.post, "/api/auth/register",
                                                  json: ["email": "not-an-email", "password": "x", "name": String(repeating: "n", count: 101)])
            #expect(response.status == .badRequest)
            #expect(Set(try response.problemFields()) == ["email", "name", "password"])
            let missing = try await service.send(.post, "/api/auth/register", json: ["email": "b@example.com"])
            #expect(missing.status == .badRequest)
            #expect(try missing.problemFields() == ["password"])
        }
    }

    @Test("wrong JSON types, invalid JSON, invalid UTF-8, control characters and huge strings are 4xx, never 500")
    func hostileInput() async throws {
        try await UserServiceHarness.run { service in
            let cases: [(String, String)] = [
                (#"{"email": 42, "password": "correct-Horse-battery-9", "name": "A"}"#, "wrong type"),
                (#"{"email": ["a@b.co"], "password": "correct-Horse-battery-9", "name": "A"}"#, "array"),
                (#"{"email": "a@b.co", "password": "correct-Horse-battery-9", "name": null}"#, "null"),
                (#"{"email": "a@b.co", "password": "correct-Horse-battery-9", "name": "A\u0000B"}"#, "NUL"),
                (#"{"email": "a@b.co", "password": "correct-Horse-battery-9", "name": "A\u001bB"}"#, "escape"),
                (#"{"email": "a@b.co""#, "truncated"),
                ("[]", "not an object"),
                (#"{"email": "\#(String(repeating: "a", count: 300))@b.co", "password": "correct-Horse-battery-9", "name": "A"}"#, "long email"),
            ]
            for (body, label) in cases {
                let response = try await service.send(.post, "/api/auth/register", raw: body)
                #expect(response.status == .badRequest, "\(label): \(response.status) \(response.text)")
                #expect(response.headers[.contentType] == "application/problem+json", "\(label)")
            }
            var invalidUTF8 = ByteBuffer(string: #"{"email": "a@b.co", "password": "correct-Horse-battery-9", "name": ""#)
            invalidUTF8.writeBytes([0xC3, 0x28, 0xFF])
            invalidUTF8.writeString(#""}"#)
            let response = try await service.client.execute(uri: "/api/auth/register", method: .post,
                                                            headers: [.contentType: "application/json"], body: invalidUTF8)
            #expect(response.status == .badRequest, "invalid UTF-8: \(response.status)")
            let huge = try await service.send(.post, "/api/auth/register",
                                              json: ["email": "a@b.co", "password": "correct-Horse-battery-9", "name": String(repeating: "x", count: 2_000_000)])
            #expect(huge.status == .contentTooLarge)
        }
    }

    @Test("names with SQL metacharacters and non-Latin scripts are stored literally")
    func literalStorage() async throws {
        try await UserServiceHarness.run { service in
            let name = "Robert'); DROP TABLE users;-- 名前 %_\\"
            let session = try await service.register(name: name)
            let me = try await service.send(.get, "/api/users/me", token: session.accessToken)
            #expect(try me.jsonObject()["name"] as? String == name)
            _ = try await service.register()  // the table is still there
        }
    }

    @Test("user.registered arrives on the users topic exactly once per registration")
    func registeredEventOnce() async throws {
        try await UserServiceHarness.run { service in
            let first = try await service.register(email: "first@example.com")
            let second = try await service.register(email: "second@example.com")
            _ = try await service.send(.post, "/api/auth/register",
                                       json: ["email": "first@example.com", "password": "correct-Horse-battery-9", "name": "Dup"])
            // One more for the first administrator created at start-up.
            let messages = try await TestKafka.collect([service.usersTopic], count: 3, timeout: .seconds(30), settle: .seconds(2))
            let received = try events(UserRegistered.self, in: messages)
            #expect(received.count == messages.count)
            let customers = received.filter { $0.data.role == "customer" }
            #expect(customers.map(\.data.userId).sorted() == [first.userID, second.userID].sorted())
            #expect(customers.map(\.data.email).sorted() == ["first@example.com", "second@example.com"])
            #expect(received.filter { $0.data.role == "admin" }.count == 1)
            #expect(Set(received.map(\.id)).count == received.count)
            for message in messages { #expect(message.key.map { String(decoding: $0, as: UTF8.self) } != nil) }
        }
    }
}
