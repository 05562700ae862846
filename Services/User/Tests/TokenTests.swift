import BazaarContracts
import BazaarCore
import BazaarTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import JWTKit
import NIOCore
import Testing

@Suite("tokens and keys")
struct TokenTests {
    @Test("refreshing spends the old refresh token and returns a new pair")
    func refreshRotates() async throws {
        try await UserServiceHarness.run { service in
            let first = try await service.register()
            let response = try await service.send(.post, "/api/auth/refresh", json: ["refreshToken": first.refreshToken])
            #expect(response.status == .ok)
            let second = try Session(response)
            #expect(second.refreshToken != first.refreshToken)
            #expect(second.accessToken != first.accessToken)
            let third = try await service.send(.post, "/api/auth/refresh", json: ["refreshToken": second.refreshToken])
            #expect(third.status == .ok)
        }
    }

    @Test("presenting a spent refresh token revokes its whole family")
    func reuseRevokesFamily() async throws {
        try await UserServiceHarness.run { service in
            let login = try await service.register()
            let rotated = try Session(try await service.send(.post, "/api/auth/refresh", json: ["refreshToken": login.refreshToken]))
            let next = try Session(try await service.send(.post, "/api/auth/refresh", json: ["refreshToken": rotated.refreshToken]))
            // An attacker replays the first token: refused, and the family's live token dies with it.
            let replay = try await service.send(.post, "/api/auth/refresh", json: ["refreshToken": login.refreshToken])
            #expect(replay.status == .unauthorized)
            #expect(try replay.jsonObject()["type"] as? String == "https://bazaar.dev/problems/refresh-token-reused")
            let legitimate = try await service.send(.post, "/api/auth/refresh", json: ["refreshToken": next.refreshToken])
            #expect(legitimate.status == .unauthorized)
            // Another sign-in (another family) is untouched.
            let other = try Session(try await service.login(login.email, "correct-Horse-battery-9"))
            #expect(try await service.send(.post, "/api/auth/refresh", json: ["refreshToken": other.refreshToken]).status == .ok)
            let admin = try await service.adminSession()
            let audit = try await service.send(.get, "/api/users/audit?limit=200", token: admin.accessToken)
            let items = try #require(try audit.jsonObject()["items"] as? [[String: Any]])
            let reuse = try #require(items.first { $0["action"] as? String == "session.refresh_token_reused" })
            #expect(reuse["targetId"] as? String == login.userID)
            #expect(reuse["ipAddress"] as? String == service.clientAddress)
        }
    }

    @Test("logout revokes the family; unknown and malformed tokens are refused at refresh")
    func logout() async throws {
        try await UserServiceHarness.run { service in
            let session = try await service.register()
            let rotated = try Session(try await service.send(.post, "/api/auth/refresh", json: ["refreshToken": session.refreshToken]))
            #expect(try await service.send(.post, "/api/auth/logout", json: ["refreshToken": rotated.refreshToken]).status == .noContent)
            #expect(try await service.send(.post, "/api/auth/refresh", json: ["refreshToken": rotated.refreshToken]).status == .unauthorized)
            #expect(try await service.send(.post, "/api/auth/logout", json: ["refreshToken": rotated.refreshToken]).status == .noContent)
            #expect(try await service.send(.post, "/api/auth/refresh", json: ["refreshToken": "short"]).status == .unauthorized)
            #expect(try await service.send(.post, "/api/auth/refresh", json: ["refreshToken": String(repeating: "A", count: 43)]).status == .unauthorized)
            #expect(try await service.send(.post, "/api/auth/refresh", json: ["refreshToken": 7]).status == .badRequest)
        }
    }

    @Test("logout ends the session's access tokens too, everywhere user.updated reaches; other sessions keep working")
    func logoutEndsAccessTokens() async throws {
        try await UserServiceHarness.run { service in
            let session = try await service.register(email: "leaving@example.com")
            let other = try Session(try await service.login("leaving@example.com", "correct-Horse-battery-9"))
            #expect(try await service.send(.post, "/api/auth/logout", json: ["refreshToken": session.refreshToken]).status == .noContent)
            try await eventually("the signed-out session's access token to be refused") {
                let response = try await service.send(.get, "/api/users/me", token: session.accessToken)
                return response.status == .unauthorized && response.text.contains("signed out")
            }
            #expect(try await service.send(.get, "/api/users/me", token: other.accessToken).status == .ok)
            let messages = try await TestKafka.collect([service.usersTopic], count: 2, timeout: .seconds(30), settle: .seconds(1))
            let ended = try events(UserUpdated.self, in: messages)
            #expect(ended.map(\.data.changedFields) == [["sessions"]])
            let claims = try #require(Data(base64URLEncoded: String(session.accessToken.split(separator: ".")[1])))
            let sid = try #require(try JSONSerialization.jsonObject(with: claims) as? [String: Any])["sid"] as? String
            #expect(ended.first?.data.revokedSessionId == sid)
        }
    }

    @Test("an expired refresh token is refused")
    func expiredRefreshToken() async throws {
        try await UserServiceHarness.run { service in
            let session = try await service.register()
            // Its expiry moved into the past in the store, instead of waiting for it to pass.
            try await service.service.execute("UPDATE refresh_tokens SET expires_at = now() - interval '1 second'")
            let refused = try await service.send(.post, "/api/auth/refresh", json: ["refreshToken": session.refreshToken])
            #expect(refused.status == .unauthorized)
            #expect(try refused.jsonObject()["type"] as? String == "https://bazaar.dev/problems/invalid-refresh-token")
        }
    }

    @Test("access tokens are ES256 with the JWKS key id and the claims every service checks")
    func accessTokenClaims() async throws {
        try await UserServiceHarness.run { service in
            let session = try await service.register(email: "claims@example.com")
            let parts = session.accessToken.split(separator: ".").map(String.init)
            #expect(parts.count == 3)
            let headerData = try #require(Data(base64URLEncoded: parts[0]))
            let claimsData = try #require(Data(base64URLEncoded: parts[1]))
            let header = try JSONSerialization.jsonObject(with: headerData) as? [String: Any]
            let claims = try #require(try JSONSerialization.jsonObject(with: claimsData) as? [String: Any])
            #expect(header?["alg"] as? String == "ES256")
            let jwks = try await service.send(.get, "/.well-known/jwks.json")
            #expect(jwks.status == .ok)
            let keys = try #require(try jwks.jsonObject()["keys"] as? [[String: Any]])
            #expect(keys.map { $0["kid"] as? String } == [header?["kid"] as? String])
            #expect(keys.first?["crv"] as? String == "P-256")
            #expect(keys.first?["d"] == nil)
            #expect(claims["sub"] as? String == session.userID)
            #expect(claims["role"] as? String == "customer")
            #expect(claims["email"] as? String == "claims@example.com")
            #expect(claims["iss"] as? String == "bazaar-user")
            #expect((claims["aud"] as? [String] ?? [claims["aud"] as? String].compactMap { $0 }) == ["bazaar"])
            #expect((claims["exp"] as? Double ?? 0) - (claims["iat"] as? Double ?? 0) == 900)
            #expect((claims["jti"] as? String)?.isEmpty == false)
        }
    }

    @Test("another process verifies the tokens from the published JWKS")
    func verifiedByAnotherProcess() async throws {
        try await UserServiceHarness.run { service in
            let session = try await service.register(email: "py@example.com")
            let script = TestInfrastructure.repositoryRoot.appendingPathComponent("Services/User/Tests/Fixtures/verify_token.py").path
            let python = TestInfrastructure.repositoryRoot.appendingPathComponent(".venv/bin/python").path
            let jwks = "\(service.baseURL)/.well-known/jwks.json"
            let valid = try await ChildProcess.run(python, [script, jwks, session.accessToken, "bazaar-user", "bazaar"])
            #expect(valid.status == 0, "\(valid.output)")
            #expect(valid.output.contains(#""email": "py@example.com""#))
            let tampered = String(session.accessToken.dropLast(2)) + (session.accessToken.hasSuffix("AA") ? "BB" : "AA")
            #expect(try await ChildProcess.run(python, [script, jwks, tampered, "bazaar-user", "bazaar"]).status == 1)
            #expect(try await ChildProcess.run(python, [script, jwks, session.accessToken, "bazaar-user", "another-audience"]).status == 1)
        }
    }

    @Test("tokens signed by a previous key stay valid while it is published, so rotation logs no one out")
    func keyRotation() async throws {
        let oldKey = ES256PrivateKey()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let oldKeyFile = folder.appendingPathComponent("old.pem")
        try oldKey.pemRepresentation.write(to: oldKeyFile, atomically: true, encoding: .utf8)
        // A token issued before the rotation, by an instance still signing with the old key.
        let tokenFromOldKey = try await UserServiceHarness.run(signingKeyPEM: oldKey.pemRepresentation) { service in
            let session = try await service.register(email: "rotated@example.com")
            #expect(try await service.send(.get, "/api/users/me", token: session.accessToken).status == .ok)
            return session.accessToken
        }
        try await UserServiceHarness.run(["JWT_PREVIOUS_KEY_FILES": oldKeyFile.path]) { service in
            let keys = try #require(try await service.send(.get, "/.well-known/jwks.json").jsonObject()["keys"] as? [[String: Any]])
            #expect(keys.count == 2)
            // The old token names a user of the other database: it verifies (401 for the missing account, not for the token).
            let response = try await service.send(.get, "/api/users/me", token: tokenFromOldKey)
            #expect(response.status == .unauthorized)
            #expect(response.text.contains("no longer exists"))
            let fresh = try await service.register()
            #expect(try await service.send(.get, "/api/users/me", token: fresh.accessToken).status == .ok)
        }
        try await UserServiceHarness.run { service in
            let response = try await service.send(.get, "/api/users/me", token: tokenFromOldKey)
            #expect(response.status == .unauthorized)
            #expect(response.text.contains("unknown signing key"))
        }
    }

    @Test("a token from a foreign key, an expired token, and no token are all 401")
    func rejectedTokens() async throws {
        try await UserServiceHarness.run { service in
            let foreignToken = try await TestSigningKey().sign()
            #expect(try await service.send(.get, "/api/users/me", token: foreignToken).status == .unauthorized)
            #expect(try await service.send(.get, "/api/users/me").status == .unauthorized)
            #expect(try await service.send(.get, "/api/users/me", token: "not.a.token").status == .unauthorized)
        }
        try await UserServiceHarness.run(["ACCESS_TOKEN_TTL_SECONDS": "1"]) { service in
            let session = try await service.register()
            // `exp` is in whole seconds: the token is refused as expired once that second has passed.
            try await eventually("the one-second access token to expire") {
                let response = try await service.send(.get, "/api/users/me", token: session.accessToken)
                return response.status == .unauthorized && response.text.contains("expired")
            }
        }
    }
}
