public import Foundation

/// A new account exists. Consumers keep their own copy of what they need about users.
public struct UserRegistered: EventPayload {
    public static let eventType = EventType(name: "bazaar.user.registered.v1", topic: TopicCatalog.users,
                                            summary: "A customer registered an account.")
    public var userId: String
    public var email: String
    public var name: String
    /// `customer` or `admin`.
    public var role: String
    public var registeredAt: Date

    public init(userId: String, email: String, name: String, role: String, registeredAt: Date) {
        self.userId = userId
        self.email = email
        self.name = name
        self.role = role
        self.registeredAt = registeredAt
    }

    public var subject: String { userId }
    public static let example = UserRegistered(userId: "u-7f3a", email: "ada@example.com", name: "Ada Lovelace", role: "customer",
                                               registeredAt: Date(timeIntervalSince1970: 1_795_000_000))
}

/// A password reset was requested for an existing account; the notification service emails the link.
public struct UserPasswordResetRequested: EventPayload {
    public static let eventType = EventType(name: "bazaar.user.password_reset_requested.v1", topic: TopicCatalog.users,
                                            summary: "A user asked to reset their password; carries the single-use token for the email.")
    public var userId: String
    public var email: String
    public var name: String
    /// The single-use reset token (the user service stores only its hash), sealed with the key the
    /// user and notification services share (`SecretSealer`, context `sealingContext`), so no other
    /// reader of the topic can reset the account.
    public var sealedResetToken: String
    public var expiresAt: Date

    public init(userId: String, email: String, name: String, sealedResetToken: String, expiresAt: Date) {
        self.userId = userId
        self.email = email
        self.name = name
        self.sealedResetToken = sealedResetToken
        self.expiresAt = expiresAt
    }

    public var subject: String { userId }
    /// What the sealed token is bound to: this event type, the account, the mailbox and the expiry
    /// (whole seconds, which is what the producer sets), so it opens nowhere else: a captured event
    /// replayed with another `email` (or a later `expiresAt`) does not open.
    public var sealingContext: String {
        "\(Self.eventType.name):\(userId):\(email):\(Int64(expiresAt.timeIntervalSince1970.rounded(.down)))"
    }
    public static let example = UserPasswordResetRequested(userId: "u-7f3a", email: "ada@example.com", name: "Ada Lovelace",
                                                           sealedResetToken: "v1.3f9a0c41d2e87b65.mN4lQ0Vh8x2pZrT7dKc1sYw9bF3jA6uLq8oE5vHiGtXnRkWzCyPm0aSdBe_fJg-lU2hN4o", expiresAt: Date(timeIntervalSince1970: 1_795_001_800))
}

/// An account's profile or standing changed: name, email, role, or disabled. Consumers that keep
/// a copy of users (for emails, order views) replace theirs with these values.
public struct UserUpdated: EventPayload {
    public static let eventType = EventType(name: "bazaar.user.updated.v1", topic: TopicCatalog.users,
                                            summary: "A user's name, email, role or disabled flag changed, or sessions were signed out; carries the current values.")
    public var userId: String
    public var email: String
    public var name: String
    /// `customer` or `admin`.
    public var role: String
    /// A disabled account cannot sign in.
    public var disabled: Bool
    /// The names of the fields this change touched (`name`, `email`, `role`, `disabled`, `sessions`).
    public var changedFields: [String]
    public var updatedAt: Date
    /// Every sign-in session of the account was ended at this time (password changed or reset,
    /// account disabled): access tokens issued before it must be refused. Absent if never.
    public var sessionsRevokedAt: Date?
    /// One sign-in session was ended (signed out, or its refresh token was reused): access tokens
    /// whose `sid` claim is this id must be refused. Only on the event of that change.
    public var revokedSessionId: String?

    public init(userId: String, email: String, name: String, role: String, disabled: Bool, changedFields: [String], updatedAt: Date,
                sessionsRevokedAt: Date? = nil, revokedSessionId: String? = nil) {
        self.userId = userId
        self.email = email
        self.name = name
        self.role = role
        self.disabled = disabled
        self.changedFields = changedFields
        self.updatedAt = updatedAt
        self.sessionsRevokedAt = sessionsRevokedAt
        self.revokedSessionId = revokedSessionId
    }

    public var subject: String { userId }
    public static let example = UserUpdated(userId: "u-7f3a", email: "ada@example.com", name: "Ada King", role: "customer", disabled: false,
                                            changedFields: ["name"], updatedAt: Date(timeIntervalSince1970: 1_795_003_600))
}
