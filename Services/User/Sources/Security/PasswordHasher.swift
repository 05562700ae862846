import BazaarCore
import HummingbirdBcrypt
import NIOPosix

/// bcrypt hashing and verification on a blocking thread pool (NIO's shared one by default): one
/// hash at cost 12 takes a few hundred milliseconds of CPU, which on Swift's concurrency threads
/// or an event loop would hold up every other request waiting for that thread.
struct PasswordHasher: Sendable {
    let cost: Int
    /// A hash of a random password at the same cost, verified against when an email has no
    /// account, so that a wrong email takes as long as a wrong password.
    let decoyHash: String
    let threadPool: NIOThreadPool

    /// Creates a hasher, computing its decoy hash (one full hash at `cost`).
    static func make(cost: Int, threadPool: NIOThreadPool = .singleton) async throws -> PasswordHasher {
        let decoy = OpaqueToken.generate().value
        let hash = try await threadPool.runIfActive { Bcrypt.hash(decoy, cost: UInt8(cost)) }
        return PasswordHasher(cost: cost, decoyHash: hash, threadPool: threadPool)
    }

    func hash(_ password: String) async throws -> String {
        let cost = UInt8(self.cost)
        return try await threadPool.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, against hash: String) async throws -> Bool {
        try await threadPool.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// Spends the time of one verification without an account to verify against.
    func verifyDecoy(_ password: String) async throws {
        _ = try await verify(password, against: decoyHash)
    }
}
