import Foundation
import Synchronization

/// Fans out order and payment events to the open streams of the user they belong to.
/// Each stream only ever receives events whose `userId` is its own user's.
final class LiveEvents: Sendable {
    /// One event as a stream sends it.
    struct Item: Sendable, Equatable {
        let id: String
        let type: String
        let json: String
    }

    private struct Subscriber {
        let userID: String
        let continuation: AsyncStream<Item>.Continuation
    }

    private let subscribers = Mutex<[UUID: Subscriber]>([:])

    /// A stream of `userID`'s events until the consumer stops reading it (bounded buffer: a
    /// client too slow to read loses the oldest events rather than holding memory forever).
    func subscribe(userID: String) -> AsyncStream<Item> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<Item>.makeStream(bufferingPolicy: .bufferingNewest(100))
        subscribers.withLock { $0[id] = Subscriber(userID: userID, continuation: continuation) }
        continuation.onTermination = { [weak self] _ in
            self?.subscribers.withLock { _ = $0.removeValue(forKey: id) }
        }
        return stream
    }

    /// Delivers `item` to every open stream of `userID`.
    func publish(_ item: Item, to userID: String) {
        let targets = subscribers.withLock { subscribers in subscribers.values.filter { $0.userID == userID }.map(\.continuation) }
        for continuation in targets { continuation.yield(item) }
    }

    var subscriberCount: Int { subscribers.withLock { $0.count } }
}
