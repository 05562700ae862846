import BazaarTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("sign-in")
struct LoginTests {
    @Test("the right password signs in; the token pair works")
    func signsIn() async throws {
        try await UserServiceHarness.run { service in
            let registered = try await service.register(email: "login@example.com")
            let response = try await service.login("  LOGIN@example.com", "correct-Horse-battery-9")
            #expect(response.status == .ok)
            let session = try Session(response)
            #expect(session.userID == registered.userID)
            #expect(session.refreshToken != registered.refreshToken)
            #expect(try await service.send(.get, "/api/users/me", token: session.accessToken).status == .ok)
        }
    }

    @Test("a password over 72 bytes is refused with 400, as registration refuses it, instead of bcrypt comparing its first 72")
    func overlongPassword() async throws {
        try await UserServiceHarness.run { service in
            let password = "correct-Horse-battery-9-" + String(repeating: "x", count: 48)
            #expect(password.utf8.count == 72)
            _ = try await service.register(email: "long@example.com", password: password)
            #expect(try await service.login("long@example.com", password).status == .ok)
            let longer = try await service.login("long@example.com", password + "y")
            #expect(longer.status == .badRequest)
            #expect(try longer.problemFields() == ["password"])
            #expect(longer.text.contains("72 bytes"))
        }
    }

    @Test("a wrong email and a wrong password give the same 401")
    func sameFailureForUnknownEmail() async throws {
        try await UserServiceHarness.run { service in
            _ = try await service.register(email: "known@example.com")
            let wrongPassword = try await service.login("known@example.com", "not-the-Password-1")
            let unknownEmail = try await service.login("unknown@example.com", "not-the-Password-1")
            #expect(wrongPassword.status == .unauthorized)
            #expect(unknownEmail.status == .unauthorized)
            var first = try wrongPassword.jsonObject(), second = try unknownEmail.jsonObject()
            for key in ["requestId", "instance"] {
                first[key] = nil
                second[key] = nil
            }
            #expect(NSDictionary(dictionary: first) == NSDictionary(dictionary: second))
        }
    }

    @Test("an unknown email costs a bcrypt verification too, so both failures take about as long")
    func sameTimeForUnknownEmail() async throws {
        // Cost 11 makes a verification take around 100 ms, far above the rest of a request, so
        // without the decoy an unknown email would answer some 30 times faster. The band is wide
        // because other tests load the machine at the same time.
        try await UserServiceHarness.run(["BCRYPT_COST": "11", "LOGIN_MAX_FAILURES_PER_IP": "100"]) { service in
            _ = try await service.register(email: "timed@example.com")
            var wrongPassword: [Duration] = [], unknownEmail: [Duration] = []
            for round in 0..<5 {
                let clock = ContinuousClock()
                wrongPassword.append(try await clock.measure { _ = try await service.login("timed@example.com", "wrong-Password-\(round)x") })
                unknownEmail.append(try await clock.measure { _ = try await service.login("nobody-\(round)@example.com", "wrong-Password-\(round)x") })
            }
            let medianWrong = wrongPassword.sorted()[2], medianUnknown = unknownEmail.sorted()[2]
            #expect(medianUnknown > medianWrong * 0.4 && medianUnknown < medianWrong * 2.5, "unknown \(medianUnknown), wrong \(medianWrong)")
        }
    }

    @Test("5 failures for one account from one address refuse that address (429, even with the right password), not the owner elsewhere")
    func lockoutPerAccountAndAddress() async throws {
        try await UserServiceHarness.run { service in
            _ = try await service.register(email: "victim@example.com")
            for attempt in 1...5 {
                let response = try await service.login("victim@example.com", "guess-Number-\(attempt)x", from: "192.0.2.66")
                #expect(response.status == .unauthorized)
            }
            let sixth = try await service.login("victim@example.com", "correct-Horse-battery-9", from: "192.0.2.66")
            #expect(sixth.status == .tooManyRequests)
            let retryAfter = try #require(sixth.headers[.retryAfter].flatMap { Int($0) })
            #expect((800...900).contains(retryAfter))
            #expect(sixth.headers[.contentType] == "application/problem+json")
            // The guesser cannot lock the owner out: from the owner's own address sign-in works.
            #expect(try await service.login("victim@example.com", "correct-Horse-battery-9", from: "198.51.100.20").status == .ok)
            // Another account from the guesser's address is not affected.
            _ = try await service.register(email: "bystander@example.com")
            #expect(try await service.login("bystander@example.com", "correct-Horse-battery-9", from: "192.0.2.66").status == .ok)
        }
    }

    @Test("guesses for one account spread over many addresses are bounded by the looser per-account limit")
    func lockoutPerAccount() async throws {
        try await UserServiceHarness.run(["LOGIN_MAX_FAILURES_PER_ACCOUNT": "8"]) { service in
            _ = try await service.register(email: "popular@example.com")
            for attempt in 1...8 {
                let response = try await service.login("popular@example.com", "guess-Number-\(attempt)x", from: "192.0.2.\(attempt)")
                #expect(response.status == .unauthorized)
            }
            let refused = try await service.login("popular@example.com", "correct-Horse-battery-9", from: "198.51.100.21")
            #expect(refused.status == .tooManyRequests)
        }
    }

    @Test("after LOGIN_MAX_FAILURES_PER_IP failures from one address further attempts from it are refused, for any email")
    func lockoutPerAddress() async throws {
        try await UserServiceHarness.run(["LOGIN_MAX_FAILURES_PER_IP": "20"]) { service in
            _ = try await service.register(email: "real@example.com")
            for attempt in 1...20 {
                let response = try await service.login("spray-\(attempt)@example.com", "guess-Number-\(attempt)x")
                #expect(response.status == .unauthorized)
            }
            let blocked = try await service.login("real@example.com", "correct-Horse-battery-9")
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.headers[.retryAfter] != nil)
            #expect(try await service.login("real@example.com", "correct-Horse-battery-9", from: "198.51.100.7").status == .ok)
        }
    }

    @Test("a successful sign-in clears the earlier failures of that account from that address")
    func successClearsFailures() async throws {
        try await UserServiceHarness.run { service in
            _ = try await service.register(email: "forgetful@example.com")
            for attempt in 1...4 { _ = try await service.login("forgetful@example.com", "guess-Number-\(attempt)x") }
            #expect(try await service.login("forgetful@example.com", "correct-Horse-battery-9").status == .ok)
            for attempt in 1...4 {
                #expect(try await service.login("forgetful@example.com", "guess-Again-\(attempt)x").status == .unauthorized)
            }
        }
    }

    @Test("a disabled account cannot sign in")
    func disabledAccount() async throws {
        try await UserServiceHarness.run { service in
            let user = try await service.register(email: "disabled@example.com")
            let admin = try await service.adminSession()
            let disable = try await service.send(.patch, "/api/users/\(user.userID)", json: ["disabled": true], token: admin.accessToken)
            #expect(disable.status == .ok)
            let response = try await service.login("disabled@example.com", "correct-Horse-battery-9")
            #expect(response.status == .forbidden)
            #expect(try response.jsonObject()["type"] as? String == "https://bazaar.dev/problems/account-disabled")
        }
    }

    @Test("when Redis is unreachable sign-in is refused with 503 rather than left unthrottled")
    func redisDownRefusesSignIn() async throws {
        try await UserServiceHarness.run(["REDIS_URL": "redis://127.0.0.1:1/0"]) { service in
            let response = try await service.login("anyone@example.com", "correct-Horse-battery-9")
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.contentType] == "application/problem+json")
        }
    }
}
