import BazaarCore
import Foundation
import Synchronization

/// Fans out order and payment events to the open streams of the user they belong to.
/// Each stream only ever receives events whose `userId` is its own user's.
///
/// A user has at most `streamsPerUser` streams open at once (on this replica): one more ends the
/// oldest. (A client that went away is only noticed when the next heartbeat cannot be written, so
/// refusing the newest would lock out a user who reloaded a page a few times.) A stream ends as
/// soon as the token that opened it would be refused: the account disabled, its sessions ended
/// (password changed or reset) or that session signed out (``AccountStandings``, told through
/// ``accountChanged(userID:)``). The route ends it too when that token expires.
final class LiveEvents: Sendable {
    /// One event as a stream sends it.
    struct Item: Sendable, Equatable {
        let id: String
        let type: String
        let json: String
    }

    /// What a stream receives: an event, or the reason it ends (the last thing it receives).
    enum Delivery: Sendable, Equatable {
        case event(Item)
        case end(reason: String)
    }

    /// The stream could not be opened: the token that asked would be refused now (the reason as
    /// ``AccountStandings`` gives it).
    struct Refused: Error, Equatable {
        let reason: String
    }

    private struct Subscriber {
        let identity: Identity
        /// Order of opening, to find a user's oldest stream.
        let sequence: UInt64
        let continuation: AsyncStream<Delivery>.Continuation
    }

    private struct Subscribers {
        var byID: [UUID: Subscriber] = [:]
        var opened: UInt64 = 0
    }

    private let subscribers = Mutex(Subscribers())
    private let standings: AccountStandings
    let streamsPerUser: Int

    init(standings: AccountStandings, streamsPerUser: Int) {
        self.standings = standings
        self.streamsPerUser = streamsPerUser
    }

    /// A stream of `identity`'s user's events until the consumer stops reading it or the token
    /// is refused (bounded buffer: a client too slow to read loses the oldest events rather than
    /// holding memory forever). Ends the user's oldest stream when they already have the most.
    func subscribe(_ identity: Identity) throws(Refused) -> AsyncStream<Delivery> {
        // A refused token must not push one of the user's good streams out.
        if let refusal = standings.refusal(for: identity) { throw Refused(reason: refusal) }
        let id = UUID()
        let (stream, continuation) = AsyncStream<Delivery>.makeStream(bufferingPolicy: .bufferingNewest(100))
        let replaced = subscribers.withLock { subscribers -> AsyncStream<Delivery>.Continuation? in
            subscribers.opened += 1
            subscribers.byID[id] = Subscriber(identity: identity, sequence: subscribers.opened, continuation: continuation)
            let own = subscribers.byID.filter { $0.value.identity.userID == identity.userID }
            guard own.count > streamsPerUser, let oldest = own.min(by: { $0.value.sequence < $1.value.sequence }) else { return nil }
            subscribers.byID[oldest.key] = nil
            return oldest.value.continuation
        }
        replaced?.yield(.end(reason: "This account opened more than \(streamsPerUser) live streams; the oldest was closed."))
        replaced?.finish()
        continuation.onTermination = { [weak self] _ in
            self?.subscribers.withLock { _ = $0.byID.removeValue(forKey: id) }
        }
        // Checked after registering: a change recorded meanwhile either is seen here or finds
        // this subscriber in `accountChanged`.
        if let refusal = standings.refusal(for: identity) {
            continuation.finish()
            throw Refused(reason: refusal)
        }
        return stream
    }

    /// Delivers `item` to every open stream of `userID`.
    func publish(_ item: Item, to userID: String) {
        let targets = subscribers.withLock { subscribers in
            subscribers.byID.values.filter { $0.identity.userID == userID }.map(\.continuation)
        }
        for continuation in targets { continuation.yield(.event(item)) }
    }

    /// Ends every stream of `userID` whose token the account's current standing refuses.
    func accountChanged(userID: String) {
        let ending = subscribers.withLock { subscribers in
            subscribers.byID.values.filter { $0.identity.userID.lowercased() == userID.lowercased() }
        }.compactMap { subscriber in standings.refusal(for: subscriber.identity).map { (subscriber.continuation, $0) } }
        for (continuation, reason) in ending {
            continuation.yield(.end(reason: reason))
            continuation.finish()
        }
    }

    var subscriberCount: Int { subscribers.withLock { $0.byID.count } }
}
