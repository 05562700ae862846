import BazaarContracts
import BazaarCore
import BazaarKafka
import BazaarTestSupport
import BazaarUser
import Foundation
import HTTPTypes
import HummingbirdTesting
import JWTKit
import NIOCore
import Testing

/// A running user service for one test (a ``ServiceHarness`` of its own): a fresh database, its
/// own topic prefix on the shared dev broker, the shared redis-server, a generated signing key,
/// bcrypt at cost 4 (fast), and a first administrator. Each harness acts from its own client
/// address (`X-Forwarded-For`, trusted as the gateway's), so sign-in limits of one test never
/// touch another.
struct UserServiceHarness: Sendable {
    let service: ServiceHarness<UserService>
    let clientAddress: String

    var client: any TestClientProtocol { service.client }
    var values: [String: String] { service.settings }
    var topicPrefix: String { service.topicPrefix }
    var logs: LogCapture { service.logs }
    /// Routes the service serves that its OpenAPI document does not describe (see ``OpenAPICoverage``).
    var undocumentedRoutes: [String] { service.undocumentedRoutes }

    static let adminPassword = "Adm1n-Harness-Secret!"
    var adminEmail: String { values["ADMIN_EMAIL"]! }
    var usersTopic: String { service.topic("users") }
    var baseURL: String { service.baseURL }

    /// Services running at once across the test run (see ``ConcurrencyLimit``).
    static let running = ConcurrencyLimit(4)

    /// Runs `body` against a live service configured with the defaults above merged with `overrides`.
    @discardableResult
    static func run<Result: Sendable>(_ overrides: [String: String] = [:], signingKeyPEM: String = ES256PrivateKey().pemRepresentation,
                                      _ body: @escaping @Sendable (UserServiceHarness) async throws -> Result) async throws -> Result {
        var settings: [String: String] = [
            "DATABASE_POOL_MAX": "3",
            "JWT_SIGNING_KEY": signingKeyPEM,
            "EVENT_SEALING_KEY": TestSealingKey.text,
            "BCRYPT_COST": "4",
            "REDIS_KEY_PREFIX": "test-\(UUID().uuidString.prefix(8)):",
            "ADMIN_EMAIL": "admin-\(UUID().uuidString.prefix(8).lowercased())@bazaar.test",
            "ADMIN_PASSWORD": adminPassword,
            // Tests of other behaviour send more than a shopper would; ThrottlingTests lower these.
            "RATE_LIMIT_SIGN_IN_PER_MINUTE": "10000", "RATE_LIMIT_REGISTRATION_PER_MINUTE": "10000",
            "RATE_LIMIT_REFRESH_PER_MINUTE": "10000", "RATE_LIMIT_PASSWORD_RESET_PER_MINUTE": "10000",
            "RATE_LIMIT_PASSWORD_CHANGE_PER_MINUTE": "10000",
        ]
        settings.merge(overrides) { _, override in override }
        return try await ServiceHarness<UserService>.run(needs: ServiceTestNeeds(postgres: true, redis: true), settings: settings,
                                                         limit: running) { service in
            let address = "10.\(Int.random(in: 0...255)).\(Int.random(in: 0...255)).\(Int.random(in: 1...254))"
            return try await body(UserServiceHarness(service: service, clientAddress: address))
        }
    }

    // MARK: Requests

    /// Sends a request with a JSON body (an encodable value, or raw text when `raw` is given),
    /// from this harness's client address unless `address` is given.
    @discardableResult
    func send(_ method: HTTPRequest.Method, _ path: String, json: [String: any Sendable]? = nil, raw: String? = nil, token: String? = nil,
              headers extra: HTTPFields = [:], from address: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.init("X-Forwarded-For")!: address ?? clientAddress]
        for field in extra { headers[field.name] = field.value }
        return try await service.send(method, path, json: json, raw: raw, token: token, headers: headers)
    }

    /// Registers a new customer (unique email unless given) and returns the token response.
    func register(email: String? = nil, password: String = "correct-Horse-battery-9", name: String = "Ada Lovelace") async throws -> Session {
        let email = email ?? "user-\(UUID().uuidString.prefix(8).lowercased())@example.com"
        let response = try await send(.post, "/api/auth/register", json: ["email": email, "password": password, "name": name])
        guard response.status == .created else { throw HarnessError(response: response) }
        return try Session(response)
    }

    func login(_ email: String, _ password: String, from address: String? = nil) async throws -> TestResponse {
        try await send(.post, "/api/auth/login", json: ["email": email, "password": password], from: address)
    }

    /// Signs in as the harness's first administrator.
    func adminSession() async throws -> Session {
        let response = try await login(adminEmail, Self.adminPassword)
        guard response.status == .ok else { throw HarnessError(response: response) }
        return try Session(response)
    }
}

/// The token response of register, login, refresh and password change.
struct Session: Sendable {
    let userID: String
    let email: String
    let accessToken: String
    let refreshToken: String
    let expiresIn: Int

    init(_ response: TestResponse) throws {
        let object = try response.jsonObject()
        let user = try #require(object["user"] as? [String: Any])
        userID = try #require(user["id"] as? String)
        email = try #require(user["email"] as? String)
        accessToken = try #require(object["accessToken"] as? String)
        refreshToken = try #require(object["refreshToken"] as? String)
        expiresIn = try #require(object["expiresIn"] as? Int)
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let response: TestResponse
    var description: String { "unexpected \(response.status.code): \(String(buffer: response.body))" }
}

extension TestResponse {
    /// The field names of a validation problem's errors.
    func problemFields() throws -> [String] {
        let errors = try jsonObject()["errors"] as? [[String: Any]] ?? []
        return errors.compactMap { $0["field"] as? String }
    }
}
