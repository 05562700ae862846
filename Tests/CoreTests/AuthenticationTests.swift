@testable import BazaarCore
import BazaarTestSupport
import Foundation
import Hummingbird
import Logging
import HummingbirdTesting
import Synchronization
import Testing

/// A JWKS endpoint whose keys a test can rotate, standing in for the user service's.
final class RotatingJWKS: Sendable {
    private let document: Mutex<Data>
    private let fetchCount = Mutex(0)
    private let failing = Mutex(false)

    /// Whether the endpoint answers 500 instead of the document.
    func fail(_ fails: Bool) { failing.withLock { $0 = fails } }

    init(_ keys: [TestSigningKey]) throws {
        document = Mutex(try TestSigningKey.jwks(keys))
    }

    func publish(_ keys: [TestSigningKey]) throws {
        let data = try TestSigningKey.jwks(keys)
        document.withLock { $0 = data }
    }

    var fetches: Int { fetchCount.withLock { $0 } }

    /// Serves the JWKS on a live port for the duration of `body`.
    func serve(_ body: @escaping @Sendable (_ url: String) async throws -> Void) async throws {
        let router = Router()
        router.get("/.well-known/jwks.json") { _, _ in
            self.fetchCount.withLock { $0 += 1 }
            if self.failing.withLock({ $0 }) { return Response(status: .internalServerError) }
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(bytes: self.document.withLock { $0 })))
        }
        try await Application(router: router).test(.live) { client in
            try await body("http://127.0.0.1:\(client.port!)/.well-known/jwks.json")
        }
    }
}

/// A host with a customer route and an admin route, verifying tokens with `values`.
func securedHost(_ values: [String: String]) throws -> ServiceHost {
    let host = try ServiceHost.testing(values)
    host.router.get("/api/me") { _, context in try context.requireUser().userID }
    host.router.get("/api/admin") { _, context in try context.requireRole(.admin).userID }
    return host
}

func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

@Suite("JWT verification")
struct AuthenticationTests {
    let key = TestSigningKey(keyID: "key-1")

    func withJWKSHost(_ jwks: RotatingJWKS, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await jwks.serve { url in
            let host = try securedHost(["JWT_JWKS_URL": url, "JWT_JWKS_REFETCH_SECONDS": "0"])
            try await host.makeApplication().test(.router, body)
        }
    }

    @Test("a valid token is accepted and names the user")
    func validToken() async throws {
        let token = try await key.sign(TestSigningKey.claims(userID: "u-42"))
        try await withJWKSHost(try RotatingJWKS([key])) { client in
            let response = try await client.execute(uri: "/api/me", method: .get, headers: bearer(token))
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == "u-42")
        }
    }

    @Test("no token on a protected route is 401 with WWW-Authenticate")
    func missingToken() async throws {
        try await withJWKSHost(try RotatingJWKS([key])) { client in
            let response = try await client.execute(uri: "/api/me", method: .get)
            #expect(response.status == .unauthorized)
            #expect(response.headers[.wwwAuthenticate] == "Bearer")
            #expect(try problem(response).type == "https://bazaar.dev/problems/unauthorized")
        }
    }

    @Test("expired, wrong audience, wrong issuer, future-issued, tampered, alg none, HS256 confusion and unknown kid are all 401")
    func rejectedTokens() async throws {
        let stranger = TestSigningKey(keyID: "key-unknown")
        let valid = try await key.sign()
        var tampered = valid.split(separator: ".").map(String.init)
        let claimsJSON = String(decoding: try JSONEncoder().encode(TestSigningKey.claims(role: .admin)), as: UTF8.self)
        tampered[1] = Data(claimsJSON.utf8).base64URLEncodedString()
        let cases: [(String, String)] = [
            ("expired", try await key.sign(TestSigningKey.claims(issuedAt: Date().addingTimeInterval(-3600), lifetime: 900))),
            ("wrong audience", try await key.sign(TestSigningKey.claims(audience: "someone-else"))),
            ("wrong issuer", try await key.sign(TestSigningKey.claims(issuer: "evil-issuer"))),
            ("issued in the future", try await key.sign(TestSigningKey.claims(issuedAt: Date().addingTimeInterval(3600)))),
            ("tampered payload", tampered.joined(separator: ".")),
            ("alg none", try TestSigningKey.unsignedToken(keyID: key.keyID)),
            ("HS256 with the public key as secret", try await key.hmacTokenUsingPublicKey()),
            ("unknown kid", try await stranger.sign()),
            ("no kid", try await key.sign(includeKeyID: false)),
            ("garbage", "not.a.token"),
        ]
        try await withJWKSHost(try RotatingJWKS([key])) { client in
            for (name, token) in cases {
                let response = try await client.execute(uri: "/api/me", method: .get, headers: bearer(token))
                #expect(response.status == .unauthorized, "\(name) was not refused")
                #expect(response.headers[.contentType] == "application/problem+json", "\(name)")
            }
            let control = try await client.execute(uri: "/api/me", method: .get, headers: bearer(valid))
            #expect(control.status == .ok)
        }
    }

    @Test("a customer token on an admin route is 403; an admin token passes")
    func wrongRole() async throws {
        let customer = try await key.sign(TestSigningKey.claims(role: .customer))
        let admin = try await key.sign(TestSigningKey.claims(role: .admin, userID: "boss"))
        try await withJWKSHost(try RotatingJWKS([key])) { client in
            let refused = try await client.execute(uri: "/api/admin", method: .get, headers: bearer(customer))
            #expect(refused.status == .forbidden)
            #expect(try problem(refused).type == "https://bazaar.dev/problems/forbidden")
            let allowed = try await client.execute(uri: "/api/admin", method: .get, headers: bearer(admin))
            #expect(allowed.status == .ok)
        }
    }

    @Test("a rotated key is picked up from the JWKS when a token names its new kid")
    func keyRotation() async throws {
        let next = TestSigningKey(keyID: "key-2")
        let jwks = try RotatingJWKS([key])
        let oldToken = try await key.sign()
        let newToken = try await next.sign()
        try await withJWKSHost(jwks) { client in
            #expect(try await client.execute(uri: "/api/me", method: .get, headers: bearer(oldToken)).status == .ok)
            #expect(try await client.execute(uri: "/api/me", method: .get, headers: bearer(newToken)).status == .unauthorized)
            try jwks.publish([key, next])
            #expect(try await client.execute(uri: "/api/me", method: .get, headers: bearer(newToken)).status == .ok)
            #expect(try await client.execute(uri: "/api/me", method: .get, headers: bearer(oldToken)).status == .ok)
            let fetchesBefore = jwks.fetches
            #expect(try await client.execute(uri: "/api/me", method: .get, headers: bearer(newToken)).status == .ok)
            #expect(jwks.fetches == fetchesBefore, "a known key must be served from the cache")
        }
    }

    @Test("unknown kids do not make the service refetch the JWKS more often than configured")
    func refetchIsRateLimited() async throws {
        let jwks = try RotatingJWKS([key])
        try await jwks.serve { url in
            let host = try securedHost(["JWT_JWKS_URL": url, "JWT_JWKS_REFETCH_SECONDS": "60"])
            try await host.makeApplication().test(.router) { client in
                for index in 0..<5 {
                    let forged = try await TestSigningKey(keyID: "forged-\(index)").sign()
                    #expect(try await client.execute(uri: "/api/me", method: .get, headers: bearer(forged)).status == .unauthorized)
                }
                #expect(jwks.fetches <= 2)
            }
        }
    }

    @Test("a public key from the environment verifies tokens without a JWKS")
    func publicKeyFromEnvironment() async throws {
        let host = try securedHost(["JWT_PUBLIC_KEY": key.publicKeyPEM, "JWT_KEY_ID": key.keyID])
        let token = try await key.sign()
        let other = try await TestSigningKey(keyID: key.keyID).sign()
        try await host.makeApplication().test(.router) { client in
            let accepted = try await client.execute(uri: "/api/me", method: .get, headers: bearer(token))
            #expect(accepted.status == .ok)
            let refused = try await client.execute(uri: "/api/me", method: .get, headers: bearer(other))
            #expect(refused.status == .unauthorized)
        }
    }

    @Test("a malformed public key stops start-up naming JWT_PUBLIC_KEY")
    func malformedPublicKey() {
        do {
            _ = try securedHost(["JWT_PUBLIC_KEY": "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----"])
            Issue.record("a malformed key was accepted")
        } catch let error as ConfigurationError {
            #expect(error.variable == "JWT_PUBLIC_KEY")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("with the JWKS unreachable and no key cached, requests get 503, not 401")
    func jwksUnreachable() async throws {
        let host = try securedHost(["JWT_JWKS_URL": "http://127.0.0.1:9/.well-known/jwks.json"])
        let token = try await key.sign()
        try await host.makeApplication().test(.router) { client in
            let response = try await client.execute(uri: "/api/me", method: .get, headers: bearer(token))
            #expect(response.status == .serviceUnavailable)
        }
    }

    /// A verifier of `url` on a clock the test moves (`time`), cache 600 s, maximum age 3600 s.
    func verifier(_ url: String, time: ManualTime) throws -> TokenVerifier {
        let start = ContinuousClock.now
        let origin = time.nowMicroseconds
        return try TokenVerifier(settings: AuthSettings(keySource: .jwks(URL(string: url)!), unknownKeyRefetchInterval: .seconds(3600)),
                                 logger: Logger(label: "test"), now: { start.advanced(by: .microseconds(time.nowMicroseconds - origin)) })
    }

    /// The status of the problem `verify` throws, or 200 when it verifies.
    func outcome(_ verifier: TokenVerifier, _ token: String) async -> Int {
        do {
            _ = try await verifier.verify(token)
            return 200
        } catch let problem as ProblemError {
            return problem.status.code
        } catch {
            return -1  // anything but a problem would be a 500 for the client
        }
    }

    @Test("a failing JWKS is retried with back-off, not on every request, and every waiting request gets a 503 problem")
    func jwksBackOff() async throws {
        let jwks = try RotatingJWKS([key])
        jwks.fail(true)
        let time = ManualTime()
        try await jwks.serve { url in
            let verifier = try verifier(url, time: time)
            let token = try await key.sign()
            // Ten at once: one fetch, and all ten answered with the 503 problem.
            let statuses = await withTaskGroup(of: Int.self) { group in
                for _ in 0..<10 { group.addTask { await outcome(verifier, token) } }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 503, count: 10))
            #expect(jwks.fetches == 1)
            #expect(await outcome(verifier, token) == 503)
            #expect(jwks.fetches == 1, "within the back-off no fetch is tried")
            time.advance(by: .seconds(1))
            #expect(await outcome(verifier, token) == 503)
            #expect(jwks.fetches == 2)
            time.advance(by: .seconds(1))
            #expect(await outcome(verifier, token) == 503)
            #expect(jwks.fetches == 2, "the second wait is two seconds")
            jwks.fail(false)
            time.advance(by: .seconds(1))
            #expect(await outcome(verifier, token) == 200)
            #expect(jwks.fetches == 3)
        }
    }

    @Test("keys the JWKS has not confirmed within the maximum age stop being trusted; a fetch that works restores them")
    func staleKeysExpire() async throws {
        let jwks = try RotatingJWKS([key])
        let time = ManualTime()
        try await jwks.serve { url in
            let verifier = try verifier(url, time: time)
            #expect(await outcome(verifier, try await key.sign()) == 200)
            jwks.fail(true)
            // Past the cache duration the fetch fails, and the keys it confirmed are still used.
            time.advance(by: .seconds(601))
            #expect(await outcome(verifier, try await key.sign()) == 200)
            #expect(jwks.fetches == 2)
            time.advance(by: .seconds(3000))
            #expect(await outcome(verifier, try await key.sign()) == 503)
            jwks.fail(false)
            time.advance(by: .seconds(60))
            #expect(await outcome(verifier, try await key.sign()) == 200)
        }
    }

    @Test("a verified token is answered from the cache until it expires, and then refused")
    func verifiedTokenCache() async throws {
        let settings = AuthSettings(keySource: .publicKeys([.init(pem: key.publicKeyPEM, keyID: key.keyID)]))
        let verifier = try TokenVerifier(settings: settings, logger: Logger(label: "test"))
        let claims = TestSigningKey.claims(userID: "cached", lifetime: 2)
        let token = try await key.sign(claims)
        #expect(try await verifier.verify(token).userID == "cached")
        #expect(try await verifier.verify(token).userID == "cached")
        // Asked until it is refused, which must not happen before the token's expiry.
        try await eventually("the cached token to be refused once it has expired") {
            do {
                _ = try await verifier.verify(token)
                return false
            } catch is ProblemError {
                return true
            }
        }
        #expect(Date() >= claims.exp.value, "refused before it expired")
        let tampered = String(token.dropLast(2)) + (token.hasSuffix("AA") ? "BB" : "AA")
        await #expect(throws: ProblemError.self) { try await verifier.verify(tampered) }
    }

    @Test("the token cache drops expired entries and stays within its capacity")
    func tokenCacheBounds() {
        let cache = VerifiedTokenCache(capacity: 3)
        let identity = Identity(userID: "u", role: .customer)
        cache.store(identity, for: "old", expiresAt: Date().addingTimeInterval(-1))
        #expect(cache.identity(for: "old") == nil)
        for index in 0..<3 { cache.store(identity, for: "t\(index)", expiresAt: Date().addingTimeInterval(60)) }
        #expect(cache.identity(for: "t2") == identity)
        cache.store(identity, for: "t3", expiresAt: Date().addingTimeInterval(60))
        #expect(cache.count <= 3)
        #expect(cache.identity(for: "t3") == identity)
    }
}
