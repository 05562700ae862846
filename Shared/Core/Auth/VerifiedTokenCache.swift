import Foundation
import Synchronization

/// Tokens already verified, with the identity they carry, until they expire.
///
/// Verifying an ES256 signature costs far more than answering a cached read, and a client sends
/// the same token with every request for its 15-minute life. Lookups are by the whole token
/// string, so only a byte-identical token that passed full verification is accepted from here;
/// an entry is dropped at the token's `exp`. The cache is bounded: when full it is emptied
/// (simple and cheap; it refills from the next requests).
final class VerifiedTokenCache: Sendable {
    private struct Entry {
        let identity: Identity
        let expiresAt: Date
    }

    private let entries = Mutex<[String: Entry]>([:])
    let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// The identity of a cached, unexpired token.
    func identity(for token: String, now: Date = Date()) -> Identity? {
        entries.withLock { entries in
            guard let entry = entries[token] else { return nil }
            guard entry.expiresAt > now else {
                entries[token] = nil
                return nil
            }
            return entry.identity
        }
    }

    func store(_ identity: Identity, for token: String, expiresAt: Date) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[token] = Entry(identity: identity, expiresAt: expiresAt)
        }
    }

    var count: Int { entries.withLock { $0.count } }
}
