/// At most `limit` bodies at a time; the rest wait their turn.
///
/// Swift Testing runs every test of a run in parallel. Tests that each start a whole service (a
/// fresh database, a producer, a consumer, bcrypt) would otherwise all start at once on a
/// two-core machine and starve the timing-sensitive tests running beside them.
public actor ConcurrencyLimit {
    private var available: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(_ limit: Int) {
        precondition(limit > 0, "a concurrency limit allows at least one")
        available = limit
    }

    /// Runs `body` once a slot is free.
    public func run<Result: Sendable>(_ body: @Sendable () async throws -> Result) async throws -> Result {
        await acquire()
        do {
            let result = try await body()
            release()
            return result
        } catch {
            release()
            throw error
        }
    }

    private func acquire() async {
        if available > 0 {
            available -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty {
            available += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
