public import Foundation
import Synchronization

/// Recent changes to accounts that make older access tokens wrong: an account was disabled, or
/// its role changed. An access token stays valid by signature until it expires (15 minutes), so
/// without this a disabled user — or a demoted administrator — would keep their powers that long.
///
/// Every service learns the changes from `user.updated` events (see `followAccountChanges` in
/// BazaarMessaging) and refuses, with 401, a token whose holder is now disabled or whose `role`
/// claim is no longer the account's role (the client refreshes and gets a token with the new role;
/// a disabled account cannot refresh). A change is remembered for `window`, which must exceed the
/// access-token lifetime; after that every token from before it has expired anyway.
public final class AccountStandings: Sendable {
    struct Standing: Sendable {
        var role: String
        var disabled: Bool
        var changedAt: Date
    }

    public let window: TimeInterval
    private let standings = Mutex<[String: Standing]>([:])

    public init(window: Duration = .seconds(3600)) {
        self.window = TimeInterval(window.components.seconds)
    }

    /// Records the account's current role and disabled flag as of `changedAt`; an older change
    /// than the one already known is ignored (events can be redelivered).
    public func record(userID: String, role: String, disabled: Bool, changedAt: Date, now: Date = Date()) {
        let horizon = now.addingTimeInterval(-window)
        guard changedAt > horizon else { return }
        standings.withLock { standings in
            let key = userID.lowercased()
            if let known = standings[key], known.changedAt > changedAt { return }
            standings[key] = Standing(role: role, disabled: disabled, changedAt: changedAt)
            // Forget what no unexpired token can predate (cheap: runs only when accounts change).
            standings = standings.filter { $0.value.changedAt > horizon }
        }
    }

    /// Why a token for `identity` must be refused, or nil when it may be used.
    public func refusal(for identity: Identity, now: Date = Date()) -> String? {
        guard let standing = standings.withLock({ $0[identity.userID.lowercased()] }),
              standing.changedAt > now.addingTimeInterval(-window)
        else { return nil }
        if standing.disabled { return "This account has been disabled." }
        if standing.role != identity.role.rawValue { return "The account's role changed; refresh the access token." }
        return nil
    }

    /// How many accounts changed within the window (for tests and metrics).
    public var count: Int { standings.withLock { $0.count } }
}
