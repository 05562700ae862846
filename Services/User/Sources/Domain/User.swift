import BazaarCore
import Foundation

/// An account as the store keeps it.
struct UserRecord: Sendable, Equatable {
    var id: UUID
    var email: String
    var name: String
    var role: Role
    var disabled: Bool
    var passwordHash: String
    var createdAt: Date
    var updatedAt: Date
    /// When every session was last ended: access tokens issued before it are refused.
    var sessionsRevokedAt: Date? = nil
}

/// An account as the API shows it to its owner.
struct UserView: Codable, Sendable, Equatable {
    var id: String
    var email: String
    var name: String
    var role: Role
    var createdAt: Date

    init(_ user: UserRecord) {
        id = user.id.lowercased
        email = user.email
        name = user.name
        role = user.role
        createdAt = user.createdAt
    }

    /// The same JSON `JSONEncoder` writes for this view, written directly (`GET /api/users/me` is
    /// a hot read: the encoder was the largest cost in the service's own code).
    func jsonBytes() -> [UInt8] {
        var json = JSONWriter(capacity: 192)
        json.object { json in
            json.field("id", id)
            json.field("email", email)
            json.field("name", name)
            json.field("role", role.rawValue)
            json.field("createdAt", createdAt)
        }
        return json.bytes
    }
}

/// An account as administrators see it in lists.
struct AdminUserView: Codable, Sendable, Equatable {
    var id: String
    var email: String
    var name: String
    var role: Role
    var disabled: Bool
    var createdAt: Date
    var updatedAt: Date

    init(_ user: UserRecord) {
        id = user.id.lowercased
        email = user.email
        name = user.name
        role = user.role
        disabled = user.disabled
        createdAt = user.createdAt
        updatedAt = user.updatedAt
    }
}

/// What the audit log records. Raw values are stored and shown to administrators.
enum AuditAction: String, Codable, Sendable, CaseIterable {
    case registered = "user.registered"
    case loginSucceeded = "login.succeeded"
    case loginFailed = "login.failed"
    case loginLockedOut = "login.locked_out"
    case loginDisabledAccount = "login.disabled_account"
    case logout = "session.logout"
    case refreshTokenReused = "session.refresh_token_reused"
    case passwordChanged = "password.changed"
    case passwordChangeFailed = "password.change_failed"
    case passwordResetRequested = "password.reset_requested"
    case passwordResetCompleted = "password.reset_completed"
    case profileUpdated = "profile.updated"
    case adminUpdatedUser = "admin.user_updated"
    case adminListedUsers = "admin.users_listed"
    case adminViewedAudit = "admin.audit_viewed"
    case adminCreated = "admin.bootstrapped"
}

extension UUID {
    /// The lower-case form Bazaar uses in JSON, tokens and events (Foundation's is upper-case).
    var lowercased: String { uuidString.lowercased() }
}
