import BazaarContracts
import BazaarCore
import BazaarTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("passwords")
struct PasswordTests {
    @Test("a reset request is 202 either way; only a real account gets a token event, and the token works once")
    func resetFlow() async throws {
        try await UserServiceHarness.run { service in
            let before = try await service.register(email: "forgot@example.com")
            let unknown = try await service.send(.post, "/api/auth/password-reset", json: ["email": "nobody@example.com"])
            let known = try await service.send(.post, "/api/auth/password-reset", json: ["email": "Forgot@example.com"])
            #expect(unknown.status == .accepted)
            #expect(known.status == .accepted)
            #expect(unknown.text == known.text)
            let messages = try await TestKafka.collect([service.usersTopic], count: 4, timeout: .seconds(30), settle: .seconds(1))
            let resets = try events(UserPasswordResetRequested.self, in: messages)
            #expect(resets.count == 1)
            let reset = try #require(resets.first)
            #expect(reset.data.email == "forgot@example.com")
            #expect(reset.data.userId == before.userID)
            #expect(abs(reset.data.expiresAt.timeIntervalSinceNow - 1800) < 60)
            // The token travels sealed: the raw event is useless to other readers of the topic,
            // and it opens only with the shared key and for this account.
            let token = try TestSealingKey.sealer.open(reset.data.sealedResetToken, context: reset.data.sealingContext)
            #expect(OpaqueToken.isWellFormed(token))
            #expect(!messages.contains { String(decoding: $0.value, as: UTF8.self).contains(token) })
            #expect(throws: SecretSealer.SealingError.self) {
                try TestSealingKey.sealer.open(reset.data.sealedResetToken, context: UserPasswordResetRequested.eventType.name + ":someone-else")
            }
            #expect(try await service.send(.post, "/api/auth/password-reset/confirm",
                                           json: ["token": reset.data.sealedResetToken, "newPassword": "brand-New-secret-77"]).status == .badRequest)

            let weak = try await service.send(.post, "/api/auth/password-reset/confirm", json: ["token": token, "newPassword": "password123"])
            #expect(try weak.problemFields() == ["newPassword"])
            let confirm = try await service.send(.post, "/api/auth/password-reset/confirm",
                                                 json: ["token": token, "newPassword": "brand-New-secret-77"])
            #expect(confirm.status == .noContent)
            let again = try await service.send(.post, "/api/auth/password-reset/confirm",
                                               json: ["token": token, "newPassword": "another-New-secret-78"])
            #expect(again.status == .badRequest)
            #expect(try again.problemFields() == ["token"])
            // Every session was revoked; the new password works, the old one does not.
            #expect(try await service.send(.post, "/api/auth/refresh", json: ["refreshToken": before.refreshToken]).status == .unauthorized)
            let oldAccess = try await service.send(.get, "/api/users/me", token: before.accessToken)
            #expect(oldAccess.status == .unauthorized)
            #expect(oldAccess.text.contains("sessions were ended"))
            #expect(try await service.login("forgot@example.com", "correct-Horse-battery-9").status == .unauthorized)
            #expect(try await service.login("forgot@example.com", "brand-New-secret-77").status == .ok)
        }
    }

    @Test("an expired or unknown reset token is refused and changes nothing")
    func expiredResetToken() async throws {
        try await UserServiceHarness.run { service in
            _ = try await service.register(email: "slow@example.com")
            #expect(try await service.send(.post, "/api/auth/password-reset", json: ["email": "slow@example.com"]).status == .accepted)
            let messages = try await TestKafka.collect([service.usersTopic], count: 3, timeout: .seconds(30))
            let reset = try #require(try events(UserPasswordResetRequested.self, in: messages).first)
            // Its expiry moved into the past in the store, instead of waiting for it to pass.
            try await service.service.execute("UPDATE password_reset_tokens SET expires_at = now() - interval '1 second'")
            let late = try await service.send(.post, "/api/auth/password-reset/confirm",
                                              json: ["token": try TestSealingKey.sealer.open(reset.data.sealedResetToken, context: reset.data.sealingContext), "newPassword": "brand-New-secret-77"])
            #expect(late.status == .badRequest)
            let forged = try await service.send(.post, "/api/auth/password-reset/confirm",
                                                json: ["token": String(repeating: "x", count: 43), "newPassword": "brand-New-secret-77"])
            #expect(forged.status == .badRequest)
            #expect(try await service.login("slow@example.com", "correct-Horse-battery-9").status == .ok)
        }
    }

    @Test("reset emails per account are limited per hour, still answering 202")
    func resetRateLimit() async throws {
        try await UserServiceHarness.run(["PASSWORD_RESET_MAX_PER_HOUR": "2"]) { service in
            _ = try await service.register(email: "spam@example.com")
            for _ in 1...4 {
                #expect(try await service.send(.post, "/api/auth/password-reset", json: ["email": "spam@example.com"]).status == .accepted)
            }
            let messages = try await TestKafka.collect([service.usersTopic], count: 5, timeout: .seconds(10), settle: .seconds(1))
            let resets = try events(UserPasswordResetRequested.self, in: messages)
            #expect(resets.count == 2)
        }
    }

    @Test("changing the password needs the current one, revokes every session and returns a new one")
    func change() async throws {
        try await UserServiceHarness.run { service in
            let session = try await service.register(email: "changer@example.com")
            let other = try Session(try await service.login("changer@example.com", "correct-Horse-battery-9"))
            let wrong = try await service.send(.put, "/api/users/me/password",
                                               json: ["currentPassword": "not-my-Password-1", "newPassword": "next-Secret-phrase-5"], token: session.accessToken)
            #expect(wrong.status == .badRequest)
            #expect(try wrong.problemFields() == ["currentPassword"])
            let same = try await service.send(.put, "/api/users/me/password",
                                              json: ["currentPassword": "correct-Horse-battery-9", "newPassword": "correct-Horse-battery-9"],
                                              token: session.accessToken)
            #expect(try same.problemFields() == ["newPassword"])
            let changed = try await service.send(.put, "/api/users/me/password",
                                                 json: ["currentPassword": "correct-Horse-battery-9", "newPassword": "next-Secret-phrase-5"],
                                                 token: session.accessToken)
            #expect(changed.status == .ok)
            let fresh = try Session(changed)
            #expect(try await service.send(.post, "/api/auth/refresh", json: ["refreshToken": other.refreshToken]).status == .unauthorized)
            #expect(try await service.send(.post, "/api/auth/refresh", json: ["refreshToken": session.refreshToken]).status == .unauthorized)
            #expect(try await service.send(.post, "/api/auth/refresh", json: ["refreshToken": fresh.refreshToken]).status == .ok)
            // Access tokens issued before the change are refused at once; the new one works.
            for old in [session, other] {
                #expect(try await service.send(.get, "/api/users/me", token: old.accessToken).status == .unauthorized)
            }
            #expect(try await service.send(.get, "/api/users/me", token: fresh.accessToken).status == .ok)
            let overlong = try await service.send(.put, "/api/users/me/password",
                                                  json: ["currentPassword": "next-Secret-phrase-5" + String(repeating: "x", count: 60),
                                                         "newPassword": "third-Secret-phrase-6"], token: fresh.accessToken)
            #expect(try overlong.problemFields() == ["currentPassword"])
            #expect(try await service.login("changer@example.com", "next-Secret-phrase-5").status == .ok)
            #expect(try await service.send(.put, "/api/users/me/password", json: ["currentPassword": "a", "newPassword": "b"]).status == .unauthorized)
        }
    }
}

