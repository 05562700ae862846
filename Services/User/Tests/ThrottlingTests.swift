import BazaarTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("request limits on credential routes")
struct ThrottlingTests {
    static let lowLimits = [
        "RATE_LIMIT_SIGN_IN_PER_MINUTE": "3", "RATE_LIMIT_REGISTRATION_PER_MINUTE": "2", "RATE_LIMIT_REFRESH_PER_MINUTE": "2",
        "RATE_LIMIT_PASSWORD_RESET_PER_MINUTE": "2", "RATE_LIMIT_PASSWORD_CHANGE_PER_MINUTE": "2",
    ]

    /// `limit` requests get `RateLimit-*` headers and their own answers; the next is a 429
    /// problem with `Retry-After`, and another address is not affected.
    static func expectLimited(_ service: UserServiceHarness, limit: Int, sourceLocation: SourceLocation = #_sourceLocation,
                              _ send: (_ address: String) async throws -> TestResponse) async throws {
        for index in 1...limit {
            let response = try await send(service.clientAddress)
            #expect(response.status != .tooManyRequests, "request \(index)", sourceLocation: sourceLocation)
            #expect(response.headers[HTTPField.Name("RateLimit-Limit")!] == String(limit), sourceLocation: sourceLocation)
            #expect(response.headers[HTTPField.Name("RateLimit-Remaining")!] == String(limit - index), sourceLocation: sourceLocation)
        }
        let refused = try await send(service.clientAddress)
        #expect(refused.status == .tooManyRequests, sourceLocation: sourceLocation)
        #expect(refused.headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
        #expect(refused.headers[.retryAfter].flatMap { Int($0) }.map { $0 >= 1 } == true, "\(refused.headers)", sourceLocation: sourceLocation)
        #expect(try await send("203.0.113.250").status != .tooManyRequests, "another address", sourceLocation: sourceLocation)
    }

    @Test("sign-in, registration, refresh and password reset are limited per client address, with RateLimit headers and 429 beyond")
    func perAddressLimits() async throws {
        try await UserServiceHarness.run(Self.lowLimits) { service in
            try await Self.expectLimited(service, limit: 3) { address in
                try await service.login("nobody@example.com", "wrong-Password-1x", from: address)
            }
            var registrations = 0
            try await Self.expectLimited(service, limit: 2) { address in
                registrations += 1
                return try await service.send(.post, "/api/auth/register", json: ["email": "new-\(registrations)@example.com",
                                                                                  "password": "correct-Horse-battery-9", "name": "Ada"],
                                              from: address)
            }
            try await Self.expectLimited(service, limit: 2) { address in
                try await service.send(.post, "/api/auth/refresh", json: ["refreshToken": String(repeating: "A", count: 43)], from: address)
            }
            try await Self.expectLimited(service, limit: 2) { address in
                try await service.send(.post, "/api/auth/password-reset", json: ["email": "someone@example.com"], from: address)
            }
            try await Self.expectLimited(service, limit: 2) { address in
                try await service.send(.post, "/api/auth/password-reset/confirm",
                                       json: ["token": String(repeating: "B", count: 43), "newPassword": "brand-New-secret-77"], from: address)
            }
        }
    }

    @Test("password changes are limited per account as well, whichever address they come from")
    func perAccountPasswordChanges() async throws {
        try await UserServiceHarness.run(Self.lowLimits) { service in
            let session = try await service.register(email: "changer@example.com")
            let wrong = ["currentPassword": "not-my-Password-1", "newPassword": "next-Secret-phrase-5"]
            for (index, address) in ["192.0.2.31", "192.0.2.32"].enumerated() {
                let response = try await service.send(.put, "/api/users/me/password", json: wrong, token: session.accessToken, from: address)
                #expect(response.status == .badRequest)
                // Two limits apply (each address has 2 left, the account fewer): one set of headers, the tighter.
                #expect(response.headers[values: HTTPField.Name("RateLimit-Remaining")!] == [String(1 - index)], "\(response.headers)")
            }
            let third = try await service.send(.put, "/api/users/me/password", json: wrong, token: session.accessToken, from: "192.0.2.33")
            #expect(third.status == .tooManyRequests)
            #expect(third.headers[.retryAfter] != nil)
            // From an address whose limit is spent, a request without a token is told what is
            // wrong with it (401), and counts against nothing.
            for _ in 0..<3 {
                let anonymous = try await service.send(.put, "/api/users/me/password", json: wrong, from: "192.0.2.31")
                #expect(anonymous.status == .unauthorized)
                #expect(anonymous.headers[HTTPField.Name("RateLimit-Remaining")!] == nil)
            }
        }
    }
}
