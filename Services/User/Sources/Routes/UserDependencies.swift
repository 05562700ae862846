import BazaarCore
import BazaarMessaging
import BazaarPostgres
import Foundation
import Logging
import PostgresNIO

/// Everything the user service's routes work with, built once at start-up.
struct UserDependencies: Sendable {
    let database: PostgresStore
    let users: UserStore
    let sessions: SessionStore
    let addresses: AddressStore
    let audit: AuditLog
    /// Builds and appends every event the service publishes (see ``UserEvents``).
    let events: UserEvents
    let hasher: PasswordHasher
    let issuer: TokenIssuer
    let throttle: LoginThrottle
    let settings: UserSettings
    let keyRing: KeyRing

    var logger: Logger { database.logger }

    /// Starts a new session family for `user` on `connection`: a refresh token is stored (digest
    /// only) and an access token signed. The caller's transaction makes both exist or neither.
    func startSession(for user: UserRecord, on connection: PostgresConnection) async throws -> AuthResponse {
        try await issueTokens(for: user, familyID: UUID(), on: connection)
    }

    /// Issues the next refresh token of `familyID` and a new access token.
    func issueTokens(for user: UserRecord, familyID: UUID, on connection: PostgresConnection) async throws -> AuthResponse {
        let refreshToken = OpaqueToken.generate()
        let refreshLifetime = Int(settings.refreshTokenLifetime.components.seconds)
        try await sessions.insertRefreshToken(digest: refreshToken.digest, familyID: familyID, userID: user.id,
                                              expiresAt: Date().addingTimeInterval(TimeInterval(refreshLifetime)), on: connection)
        let access = try await issuer.accessToken(for: user, sessionID: familyID)
        return AuthResponse(user: UserView(user), accessToken: access.token, refreshToken: refreshToken.value, tokenType: "Bearer",
                            expiresIn: access.expiresIn, refreshExpiresIn: refreshLifetime)
    }

    /// The signed-in caller's account as stored now; 401 when it no longer exists or the token
    /// predates the end of all its sessions, 403 when disabled. Other services learn these changes
    /// from `user.updated`; this service reads them here, so they hold here the moment they commit.
    func currentUser(_ identity: Identity, on connection: PostgresConnection, forUpdate: Bool = false) async throws -> UserRecord {
        guard let id = UUID(uuidString: identity.userID), let user = try await users.user(id: id, on: connection, forUpdate: forUpdate) else {
            throw ProblemError.unauthorized("The account this token was issued for no longer exists.")
        }
        guard !user.disabled else { throw ProblemError.forbidden("This account is disabled.") }
        if let revoked = user.sessionsRevokedAt, let issued = identity.issuedAt, issued < revoked {
            throw ProblemError.unauthorized("This account's sessions were ended (password changed or reset); sign in again.")
        }
        return user
    }

    /// The signed-in administrator's account: the stored role decides, not the token's claim, so an
    /// administrator demoted a moment ago (the `user.updated` still on its way, or Kafka down)
    /// cannot act as one with the token they hold. 403 for anyone else.
    func currentAdmin(_ identity: Identity, on connection: PostgresConnection) async throws -> UserRecord {
        let user = try await currentUser(identity, on: connection)
        guard user.role == .admin else { throw ProblemError.forbidden("This endpoint requires the admin role.") }
        return user
    }
}

/// What sign-in, registration and refresh return.
struct AuthResponse: Codable, Sendable {
    var user: UserView
    var accessToken: String
    var refreshToken: String
    var tokenType: String
    /// Seconds until the access token expires.
    var expiresIn: Int
    /// Seconds until the refresh token expires.
    var refreshExpiresIn: Int
}
