import BazaarRuntime
import BazaarTestSupport
import Foundation
import Testing

/// The attacks of the security review (issue 17), played against a whole platform (`bazaar up`)
/// through its gateway, each shown refused. What cannot be played through the gateway is proven
/// where it lives: a customer account named as `ADMIN_EMAIL` stops the user service's start-up
/// (`AdminTests`), sealed reset tokens replayed to another mailbox or with a later expiry do not
/// open (`NotificationTests`), a failing JWKS is retried with back-off and stale keys expire
/// (`AuthenticationTests`), `CORS_ALLOWED_ORIGINS=*` is refused at start-up (`SettingsTests`),
/// and per-account stream limits (`LiveStreamTests`); 500 open streams through the gateway are in
/// `PlatformIntegrationTests`. The README's "Security model" lists what each protects.
@Suite("security: attacks through the gateway")
struct SecurityTests {
    @Test("a demoted administrator, tokens after sign-out, password change and reset, reset tokens in logs, overlong passwords, forged tokens, foreign origins, password guessing (with a spoofed X-Forwarded-For) and a registration flood: all refused",
          .timeLimit(.minutes(5)))
    func attacksAreRefused() async throws {
        try await PrivatePlatform.run(prefix: "bazaar-security-test") { platform in
            let (client, runDirectory, password) = (platform.client, platform.runDirectory, try platform.administratorPassword())
            func signIn(_ email: String, _ password: String) async throws -> (access: String, refresh: String) {
                let answer = try await client.request("POST", "/api/auth/login", body: #"{"email":"\#(email)","password":"\#(password)"}"#)
                try #require(answer.status == 200, "sign-in of \(email): \(answer.status) \(answer.body)")
                return (try #require(try client.field("accessToken", of: answer.body)), try #require(try client.field("refreshToken", of: answer.body)))
            }
            func register(_ email: String, _ password: String) async throws -> String {
                let answer = try await client.request("POST", "/api/auth/register",
                                                      body: #"{"email":"\#(email)","password":"\#(password)","name":"Someone"}"#)
                try #require(answer.status == 201, "registration of \(email): \(answer.status) \(answer.body)")
                return try #require((try client.object(answer.body)["user"] as? [String: Any])?["id"] as? String)
            }
            func status(_ method: String, _ path: String, token: String, body: String? = nil) async throws -> Int {
                try await client.request(method, path, token: token, body: body).status
            }
            func get(_ path: String, token: String) async throws -> Int { try await status("GET", path, token: token) }
            let admin = try await signIn("admin@bazaar.local", password)

            // 1. A demoted administrator's admin token is refused by the user service at once (it
            // reads the stored role), and by every other service as soon as it has the event.
            let malloryPassword = "mallory-Pass-phrase-41"
            let mallory = try await register("mallory@example.com", malloryPassword)
            #expect(try await status("PATCH", "/api/users/\(mallory)", token: admin.access, body: #"{"role":"admin"}"#) == 200)
            let malloryAdmin = try await signIn("mallory@example.com", malloryPassword)
            #expect(try await get("/api/users", token: malloryAdmin.access) == 200)
            #expect(try await status("PATCH", "/api/users/\(mallory)", token: admin.access, body: #"{"role":"customer"}"#) == 200)
            #expect([401, 403].contains(try await get("/api/users", token: malloryAdmin.access)), "refused the moment the demotion commits")
            try await eventually("the notification service to refuse the demoted administrator's token") {
                try await get("/api/notifications/deliveries", token: malloryAdmin.access) == 401
            }

            // 3. Access tokens do not outlive the end of their session: sign-out, a password
            // change (every other session), a password reset (every session). At every service.
            let victimPassword = "victim-Pass-phrase-52"
            _ = try await register("victim@example.com", victimPassword)
            let signedOut = try await signIn("victim@example.com", victimPassword)
            let other = try await signIn("victim@example.com", victimPassword)
            #expect(try await client.request("POST", "/api/auth/logout", body: #"{"refreshToken":"\#(signedOut.refresh)"}"#).status == 204)
            for path in ["/api/users/me", "/api/notifications", "/api/cart"] {
                try await eventually("\(path) to refuse a signed-out session's token") { try await get(path, token: signedOut.access) == 401 }
            }
            #expect(try await get("/api/users/me", token: other.access) == 200, "another session goes on")
            let changedPassword = "victim-Changed-phrase-63"
            let changed = try await client.request("PUT", "/api/users/me/password", token: other.access,
                                                   body: #"{"currentPassword":"\#(victimPassword)","newPassword":"\#(changedPassword)"}"#)
            #expect(changed.status == 200, "\(changed.body)")
            let afterChange = try #require(try client.field("accessToken", of: changed.body))
            #expect(try await get("/api/users/me", token: other.access) == 401, "the user service refuses at once")
            try await eventually("the cart service to refuse a token from before the password change") {
                try await get("/api/cart", token: other.access) == 401
            }
            #expect(try await get("/api/users/me", token: afterChange) == 200)

            // 5. The reset link carries its token in the fragment, which no server or log sees; the
            // page it opens is served, and its token-bearing query (old links) is not logged.
            #expect(try await client.request("POST", "/api/auth/password-reset", body: #"{"email":"victim@example.com"}"#).status == 202)
            let mailDirectory = "\(runDirectory)/mail"
            let resetMail = try await eventuallyValue("the reset email") { () -> ReceivedMail? in
                try emlFiles(in: mailDirectory).map { try ReceivedMail(Data(contentsOf: URL(filePath: "\(mailDirectory)/\($0)"))) }
                    .first { $0.to.contains("victim@example.com") && $0.subject == "Reset your Bazaar password" }
            }
            let resetToken = try #require(resetMail.text.firstMatch(of: /\/reset-password#token=([A-Za-z0-9_-]{43})/).map { String($0.1) },
                                          "\(resetMail.text)")
            let page = try await client.request("GET", "/reset-password?token=\(resetToken)")
            let shell = try String(contentsOf: URL(filePath: try #require(Gateway.storefrontSource())).appending(path: "index.html"), encoding: .utf8)
            #expect(page.status == 200 && page.body == shell, "the storefront's shell serves the reset page")
            let resetPassword = "victim-Reset-phrase-74"
            #expect(try await client.request("POST", "/api/auth/password-reset/confirm",
                                             body: #"{"token":"\#(resetToken)","newPassword":"\#(resetPassword)"}"#).status == 204)
            #expect(try await get("/api/users/me", token: afterChange) == 401, "a reset ends every session")
            let launcherLog = RunDirectory(path: runDirectory).launcherLog
            try await eventually("the gateway to log the reset page request") {
                try String(contentsOf: launcherLog, encoding: .utf8).contains("GET /reset-password HTTP/1.1\" 200")
            }
            #expect(try !String(contentsOf: launcherLog, encoding: .utf8).contains(resetToken), "the reset token is in \(launcherLog.path)")

            // 8. A password beyond bcrypt's 72 bytes is refused, not silently cut.
            let overlong = String(repeating: "x", count: 73)
            #expect(try await client.request("POST", "/api/auth/login", body: #"{"email":"victim@example.com","password":"\#(overlong)"}"#)
                .status == 400)

            // Forged tokens: unsigned (alg none), tampered payload, garbage.
            let parts = afterChange.split(separator: ".").map(String.init)
            try #require(parts.count == 3)
            let unsigned = Self.base64URL(Data(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "." + parts[1] + "."
            let claims = String(decoding: try #require(Self.base64URLDecoded(parts[1])), as: UTF8.self)
            let promoted = claims.replacingOccurrences(of: #""role":"customer""#, with: #""role":"admin""#)
            #expect(promoted != claims, "\(claims)")
            let tampered = parts[0] + "." + Self.base64URL(Data(promoted.utf8)) + "." + parts[2]
            for forged in [unsigned, tampered, "not-a-token"] {
                #expect(try await get("/api/users", token: forged) == 401)
                #expect(try await get("/api/notifications/deliveries", token: forged) == 401)
            }

            // 11. A foreign origin gets no CORS permission.
            let foreign = try await client.exchange("GET", "/api/catalog/products?limit=1", headers: ["Origin: https://evil.example"])
            #expect(foreign.status == 200 && foreign.headers["access-control-allow-origin"] == nil, "\(foreign.headers)")

            // 7. Guessing a password: five wrong ones from an address, and that address is refused
            // for that account even with the right password; claiming to be another address in
            // X-Forwarded-For changes nothing (only trusted proxies' entries count). The address
            // itself is not locked: another account signs in from it.
            for _ in 1...5 {
                #expect(try await client.request("POST", "/api/auth/login", body: #"{"email":"victim@example.com","password":"guess-Wrong-phrase-1"}"#)
                    .status == 401)
            }
            for spoofed in [[], ["X-Forwarded-For: 198.51.100.7"]] {
                let locked = try await client.exchange("POST", "/api/auth/login", body: #"{"email":"victim@example.com","password":"\#(resetPassword)"}"#,
                                                       headers: spoofed)
                #expect(locked.status == 429 && locked.headers["retry-after"] != nil, "\(spoofed): \(locked.status) \(locked.body)")
            }
            #expect(try await client.request("POST", "/api/auth/login", body: #"{"email":"mallory@example.com","password":"\#(malloryPassword)"}"#)
                .status == 200)

            // 6. A registration flood from one address: RateLimit headers on every answer, then
            // 429 with Retry-After. 10 a minute by default, counted in fixed one-minute windows:
            // with one window boundary crossed, the 21st registration is refused at the latest.
            var answers: [PlatformClient.Exchange] = []
            for index in 1...21 {
                let answer = try await client.exchange("POST", "/api/auth/register",
                                                       body: #"{"email":"flood-\#(index)@example.com","password":"flood-Pass-phrase-85","name":"Flood"}"#)
                answers.append(answer)
                if answer.status == 429 { break }
            }
            #expect(answers.allSatisfy { $0.headers["ratelimit-limit"] == "10" }, "\(answers.map(\.headers))")
            #expect(answers.dropLast().allSatisfy { $0.status == 201 }, "\(answers.map(\.status))")
            let refused = try #require(answers.last)
            #expect(refused.status == 429 && refused.headers["retry-after"] != nil && refused.headers["ratelimit-remaining"] == "0",
                    "\(refused.status) \(refused.headers)")
        }
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func base64URLDecoded(_ text: String) -> Data? {
        let base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        return Data(base64Encoded: base64 + String(repeating: "=", count: (4 - base64.count % 4) % 4))
    }
}
