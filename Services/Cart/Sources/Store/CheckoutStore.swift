import BazaarContracts
import BazaarRedis
import BazaarRedisMessaging
import Foundation

/// Checkouts in the cart store: the record of each accepted checkout, kept per user and
/// Idempotency-Key (`checkout:<user id>:<key>`, 24 hours), and the atomic step that accepts one.
struct CheckoutStore: Sendable {
    let redis: RedisClient
    let outbox: RedisOutbox
    let keepFor: Duration

    /// What was recorded for an accepted checkout: the request's fingerprint and the answer given.
    struct Record: Codable, Sendable, Equatable {
        var fingerprint: String
        var orderId: String
        var cartId: String
    }

    static func key(user: String, idempotencyKey: String) -> String { "checkout:\(user):\(idempotencyKey)" }

    /// KEYS: checkout record, cart, products. ARGV: ttl ms. The record of this key if there is one, otherwise
    /// the cart — read in one step, so a checkout racing one with the same key either sees its
    /// record or the cart it has not emptied yet.
    static let read = RedisScript(CartStore.readFunction + """
        local record = redis.call('GET', KEYS[1])
        if record then return {'recorded', record} end
        if redis.call('PEXPIRE', KEYS[2], ARGV[1]) == 0 then return {'cart', {{}, {}}} end
        return {'cart', read_cart(KEYS[2])}
        """)

    /// KEYS: checkout record, cart, outbox stream. ARGV: record, record ttl seconds, the cart revision
    /// priced, then the outbox entry's fields. Accepts the checkout in one step — records it,
    /// empties the cart (its lines go; the cart keeps its id, so one cart's checkouts share a
    /// Kafka key and stay in order), appends `cart.checked_out` to the outbox — unless the key was
    /// used meanwhile (`recorded`, with that record) or the cart changed since it was priced (`changed`).
    static let accept = RedisScript("""
        local record = redis.call('GET', KEYS[1])
        if record then return {'recorded', record} end
        if redis.call('HGET', KEYS[2], 'rev') ~= ARGV[3] then return {'changed'} end
        redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
        for _, field in ipairs(redis.call('HKEYS', KEYS[2])) do
            if string.sub(field, 1, 2) == 'l:' then redis.call('HDEL', KEYS[2], field) end
        end
        redis.call('HINCRBY', KEYS[2], 'rev', 1)
        redis.call('XADD', KEYS[3], '*', unpack(ARGV, 4))
        return {'accepted'}
        """)

    enum ReadOutcome: Sendable {
        case recorded(Record)
        case cart(StoredCart?)
    }

    enum AcceptOutcome: Sendable, Equatable {
        case accepted
        case recorded(Record)
        case cartChanged
    }

    func read(user: String, idempotencyKey: String, cart: CartOwner, cartTTLMilliseconds: Int) async throws -> ReadOutcome {
        let reply = try await redis.evaluate(Self.read, keys: [Self.key(user: user, idempotencyKey: idempotencyKey), cart.key, ProductProjection.key],
                                             arguments: [.integer(cartTTLMilliseconds)])
        guard let parts = reply.array, parts.count == 2, let status = parts[0].string else { throw RedisError.unexpected(reply, from: "checkout read") }
        switch status {
        case "recorded": return .recorded(try Self.record(parts[1]))
        case "cart": return .cart(try CartStore.cart(from: parts[1]))
        default: throw RedisError.unexpected(reply, from: "checkout read")
        }
    }

    func accept(_ record: Record, user: String, idempotencyKey: String, cart: CartOwner, revision: Int, event: RedisOutboxEntry) async throws -> AcceptOutcome {
        let encoded = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
        let reply = try await redis.evaluate(Self.accept, keys: [Self.key(user: user, idempotencyKey: idempotencyKey), cart.key, outbox.streamKey],
                                             arguments: [.string(encoded), .integer(Int(keepFor.components.seconds)), .integer(revision)]
                                                 + event.fields.map(RedisArgument.string))
        guard let parts = reply.array, let status = parts.first?.string else { throw RedisError.unexpected(reply, from: "checkout") }
        switch status {
        case "accepted":
            outbox.appended()
            return .accepted
        case "recorded" where parts.count == 2: return .recorded(try Self.record(parts[1]))
        case "changed": return .cartChanged
        default: throw RedisError.unexpected(reply, from: "checkout")
        }
    }

    static func record(_ value: RedisValue) throws -> Record {
        guard let bytes = value.bytes else { throw RedisError.unexpected(value, from: "checkout record") }
        return try JSONDecoder().decode(Record.self, from: Data(bytes))
    }
}
