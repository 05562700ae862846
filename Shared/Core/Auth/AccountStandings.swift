public import Foundation
import Synchronization

/// Recent changes to accounts that make older access tokens wrong: an account was disabled, its
/// role changed, all its sessions were ended (password changed or reset), or one session was
/// signed out. An access token stays valid by signature until it expires (15 minutes), so without
/// this a disabled user, a demoted administrator or a signed-out thief would keep their powers
/// that long.
///
/// Every service learns the changes from `user.updated` events (see `followAccountChanges` in
/// BazaarMessaging) and refuses, with 401, a token whose holder is now disabled, whose `role`
/// claim is no longer the account's role (the client refreshes and gets a token with the new role;
/// a disabled account cannot refresh), that was issued (`iat`) before the account's sessions were
/// revoked, or whose session (`sid`) was signed out. A change is remembered for `window`, which
/// must exceed the access-token lifetime; after that every token from before it has expired anyway.
public final class AccountStandings: Sendable {
    /// One `user.updated` as far as tokens are concerned.
    public struct Change: Sendable {
        public var userID: String
        public var role: String
        public var disabled: Bool
        /// When the role and disabled flag took these values (`updatedAt`).
        public var changedAt: Date
        /// Tokens issued before this are refused (`sessionsRevokedAt`).
        public var sessionsRevokedAt: Date?
        /// Tokens of this session are refused (`revokedSessionId`), from `occurredAt` on.
        public var revokedSessionID: String?
        /// When the event was published (its CloudEvents `time`).
        public var occurredAt: Date

        public init(userID: String, role: String, disabled: Bool, changedAt: Date, sessionsRevokedAt: Date? = nil,
                    revokedSessionID: String? = nil, occurredAt: Date? = nil) {
            self.userID = userID
            self.role = role
            self.disabled = disabled
            self.changedAt = changedAt
            self.sessionsRevokedAt = sessionsRevokedAt
            self.revokedSessionID = revokedSessionID
            self.occurredAt = occurredAt ?? changedAt
        }
    }

    struct Standing: Sendable {
        var role: String
        var disabled: Bool
        var changedAt: Date
        var sessionsRevokedAt: Date?
        /// Signed-out sessions and when they were signed out.
        var revokedSessions: [String: Date] = [:]

        /// The newest moment this standing still matters for.
        var latest: Date { ([changedAt, sessionsRevokedAt ?? .distantPast] + revokedSessions.values).max()! }

        mutating func forget(before horizon: Date) {
            revokedSessions = revokedSessions.filter { $0.value > horizon }
            if let revoked = sessionsRevokedAt, revoked <= horizon { sessionsRevokedAt = nil }
        }
    }

    public let window: TimeInterval
    private let standings = Mutex<[String: Standing]>([:])
    private let observers = Mutex<[@Sendable (String) -> Void]>([])

    public init(window: Duration = .seconds(3600)) {
        self.window = TimeInterval(window.components.seconds)
    }

    /// Records what `change` says: the role and disabled flag unless a newer change is already
    /// known (events can be redelivered), the latest revocation of all sessions, and the signed-out
    /// session. Anything older than the window is left out.
    public func record(_ change: Change, now: Date = Date()) {
        let horizon = now.addingTimeInterval(-window)
        standings.withLock { standings in
            let key = change.userID.lowercased()
            var standing = standings[key] ?? Standing(role: change.role, disabled: change.disabled, changedAt: change.changedAt)
            if change.changedAt >= standing.changedAt {
                standing.role = change.role
                standing.disabled = change.disabled
                standing.changedAt = change.changedAt
            }
            if let revoked = change.sessionsRevokedAt, revoked > (standing.sessionsRevokedAt ?? .distantPast) {
                standing.sessionsRevokedAt = revoked
            }
            if let session = change.revokedSessionID?.lowercased() {
                standing.revokedSessions[session] = change.occurredAt
            }
            standing.forget(before: horizon)
            if standing.latest > horizon { standings[key] = standing }
            // Forget what no unexpired token can predate (cheap: runs only when accounts change).
            standings = standings.filter { $0.value.latest > horizon }
        }
        for observer in observers.withLock({ $0 }) { observer(change.userID) }
    }

    /// Calls `observer` with the user id after every recorded change, so what a token opened for
    /// longer than one request (a live stream) can ask ``refusal(for:now:)`` again and end.
    /// Called on the recording thread: keep it short.
    public func onChange(_ observer: @escaping @Sendable (String) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    /// Records the account's current role and disabled flag as of `changedAt`.
    public func record(userID: String, role: String, disabled: Bool, changedAt: Date, now: Date = Date()) {
        record(Change(userID: userID, role: role, disabled: disabled, changedAt: changedAt), now: now)
    }

    /// Why a token for `identity` must be refused, or nil when it may be used.
    public func refusal(for identity: Identity, now: Date = Date()) -> String? {
        guard let standing = standings.withLock({ $0[identity.userID.lowercased()] }) else { return nil }
        let horizon = now.addingTimeInterval(-window)
        if standing.changedAt > horizon {
            if standing.disabled { return "This account has been disabled." }
            if standing.role != identity.role.rawValue { return "The account's role changed; refresh the access token." }
        }
        if let revoked = standing.sessionsRevokedAt, revoked > horizon, let issued = identity.issuedAt, issued < revoked {
            return "This account's sessions were ended (password changed or reset); sign in again."
        }
        if let session = identity.sessionID?.lowercased(), let signedOut = standing.revokedSessions[session], signedOut > horizon {
            return "This session was signed out; sign in again."
        }
        return nil
    }

    /// How many accounts changed within the window (for tests and metrics).
    public var count: Int { standings.withLock { $0.count } }
}
