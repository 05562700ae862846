import BazaarContracts
import BazaarRedis
import Foundation

/// Carts in the cart store (a Redis of their own: AOF `appendfsync always`, `noeviction`).
///
/// A cart is one hash, `cart:u:<user id>` or `cart:g:<token digest>`: `id`, `created`, `rev`
/// (bumped by every change) and one field `l:<product id>` per line (``StoredLine/encoded``).
/// Every change is one Lua script, so it is atomic: concurrent adds of one product from one
/// client each count, and the line limits hold whatever the interleaving. Every script renews the
/// cart's time to live and answers with the cart as it is afterwards, read in the same step with
/// the projected product of each line (``ProductProjection``): one round trip per request.
struct CartStore: Sendable {
    let redis: RedisClient
    let userTTL: Duration
    let guestTTL: Duration

    func ttlMilliseconds(_ owner: CartOwner) -> Int { Int((owner.isGuest ? guestTTL : userTTL).milliseconds) }

    /// Lua shared by the scripts: reads a cart and, in one `HMGET` of the projection's hash (the
    /// last key of every script that reads a cart), the projected product of each of its lines.
    static let readFunction = """
        local function read_cart(key)
            local fields = redis.call('HGETALL', key)
            local ids = {}
            for i = 1, #fields, 2 do
                if string.sub(fields[i], 1, 2) == 'l:' then ids[#ids + 1] = string.sub(fields[i], 3) end
            end
            if #ids == 0 then return {fields, {}} end
            return {fields, redis.call('HMGET', KEYS[#KEYS], unpack(ids))}
        end
        local function line_count(key)
            local n = 0
            for _, field in ipairs(redis.call('HKEYS', key)) do
                if string.sub(field, 1, 2) == 'l:' then n = n + 1 end
            end
            return n
        end
        local function touch(key, ttl, id, now)
            if redis.call('EXISTS', key) == 0 then
                redis.call('HSET', key, 'id', id, 'created', now, 'rev', 0)
                redis.call('PEXPIRE', key, ttl)
            end
        end

        """

    /// KEYS: cart, products. ARGV: ttl ms. Reads the cart and renews its time to live.
    static let read = RedisScript(readFunction + """
        if redis.call('PEXPIRE', KEYS[1], ARGV[1]) == 0 then return {'ok', 0, {{}, {}}} end
        return {'ok', 0, read_cart(KEYS[1])}
        """)

    /// KEYS: cart, products. ARGV: product id, quantity, ttl ms, maximum quantity, maximum lines,
    /// new cart id, now ms, shop currency. Adds units of a product that is for sale; the line keeps
    /// the price the shopper saw on this add. Answers `started` = 1 when the cart had no line before.
    static let add = RedisScript(readFunction + """
        local product = redis.call('HGET', KEYS[2], ARGV[1])
        if not product then return {'unknown_product', 0} end
        local _, active, deleted, price, currency = string.match(product, \(ProductProjection.luaPattern))
        if active ~= '1' or deleted == '1' or price == '' then return {'not_for_sale', 0} end
        if currency ~= ARGV[8] then return {'currency', 0} end
        local field = 'l:' .. ARGV[1]
        local line = redis.call('HGET', KEYS[1], field)
        local quantity = tonumber(ARGV[2])
        local added_at = ARGV[7]
        if line then
            local current, _, _, at = string.match(line, '^(%d+)|([^|]*)|([^|]*)|(%d+)$')
            quantity = quantity + tonumber(current)
            added_at = at
            if quantity > tonumber(ARGV[4]) then return {'quantity', tonumber(current)} end
        end
        local lines = line_count(KEYS[1])
        if not line and lines >= tonumber(ARGV[5]) then return {'lines', 0} end
        touch(KEYS[1], ARGV[3], ARGV[6], ARGV[7])
        local started = 0
        if lines == 0 then started = 1 end
        redis.call('HSET', KEYS[1], field, quantity .. '|' .. price .. '|' .. currency .. '|' .. added_at)
        redis.call('HINCRBY', KEYS[1], 'rev', 1)
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return {'ok', started, read_cart(KEYS[1])}
        """)

    /// KEYS: cart, products. ARGV: product id, quantity, ttl ms. Sets an existing line's quantity.
    static let setQuantity = RedisScript(readFunction + """
        local field = 'l:' .. ARGV[1]
        local line = redis.call('HGET', KEYS[1], field)
        if not line then return {'no_line', 0} end
        redis.call('HSET', KEYS[1], field, ARGV[2] .. string.match(line, '^%d+(|.*)$'))
        redis.call('HINCRBY', KEYS[1], 'rev', 1)
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return {'ok', 0, read_cart(KEYS[1])}
        """)

    /// KEYS: cart, products. ARGV: product id, ttl ms. Removes a line.
    static let remove = RedisScript(readFunction + """
        if redis.call('HDEL', KEYS[1], 'l:' .. ARGV[1]) == 0 then return {'no_line', 0} end
        redis.call('HINCRBY', KEYS[1], 'rev', 1)
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return {'ok', 0, read_cart(KEYS[1])}
        """)

    /// KEYS: user cart, guest cart, products. ARGV: ttl ms, maximum quantity, maximum lines, new cart id, now ms.
    /// Moves the guest's lines into the user's cart (quantities added and capped; lines beyond the
    /// limit dropped and counted) and deletes the guest cart.
    static let merge = RedisScript(readFunction + """
        local guest = redis.call('HGETALL', KEYS[2])
        local dropped = 0
        local moved = 0
        if #guest > 0 then
            touch(KEYS[1], ARGV[1], ARGV[4], ARGV[5])
            local lines = line_count(KEYS[1])
            for i = 1, #guest, 2 do
                local field = guest[i]
                if string.sub(field, 1, 2) == 'l:' then
                    local quantity, rest = string.match(guest[i + 1], '^(%d+)(|.*)$')
                    local existing = redis.call('HGET', KEYS[1], field)
                    if existing then
                        local current, own_rest = string.match(existing, '^(%d+)(|.*)$')
                        local sum = math.min(tonumber(current) + tonumber(quantity), tonumber(ARGV[2]))
                        redis.call('HSET', KEYS[1], field, sum .. own_rest)
                        moved = moved + 1
                    elseif lines < tonumber(ARGV[3]) then
                        redis.call('HSET', KEYS[1], field, guest[i + 1])
                        lines = lines + 1
                        moved = moved + 1
                    else
                        dropped = dropped + 1
                    end
                end
            end
            redis.call('DEL', KEYS[2])
            redis.call('HINCRBY', KEYS[1], 'rev', 1)
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return {'ok', dropped, read_cart(KEYS[1]), moved}
        """)

    /// What a change came to.
    enum Outcome: Sendable, Equatable {
        /// The cart afterwards (nil when there is none); `started` when this change gave an empty
        /// (or new) cart its first line.
        case changed(StoredCart?, started: Bool)
        case unknownProduct
        case notForSale
        case otherCurrency
        /// The line would exceed the maximum; `current` units are in it.
        case quantityAbove(current: Int)
        case tooManyLines
        case noSuchLine
    }

    func read(_ owner: CartOwner) async throws -> StoredCart? {
        let outcome = try Self.outcome(try await redis.evaluate(Self.read, keys: [owner.key, ProductProjection.key], arguments: [.integer(ttlMilliseconds(owner))]))
        guard case .changed(let cart, _) = outcome else { throw RedisError(kind: .unexpectedReply, message: "cart read answered \(outcome)") }
        return cart
    }

    func add(_ owner: CartOwner, productId: String, quantity: Int, currency: Currency, now: Date) async throws -> Outcome {
        let reply = try await redis.evaluate(Self.add, keys: [owner.key, ProductProjection.key], arguments: [
            .string(productId), .integer(quantity), .integer(ttlMilliseconds(owner)), .integer(CartLimits.maximumQuantity),
            .integer(CartLimits.maximumLines), .string(Self.newCartID()), .integer(Self.milliseconds(now)), .string(currency.code),
        ])
        return try Self.outcome(reply)
    }

    func setQuantity(_ owner: CartOwner, productId: String, quantity: Int) async throws -> Outcome {
        try Self.outcome(try await redis.evaluate(Self.setQuantity, keys: [owner.key, ProductProjection.key], arguments: [
            .string(productId), .integer(quantity), .integer(ttlMilliseconds(owner)),
        ]))
    }

    func remove(_ owner: CartOwner, productId: String) async throws -> Outcome {
        try Self.outcome(try await redis.evaluate(Self.remove, keys: [owner.key, ProductProjection.key], arguments: [
            .string(productId), .integer(ttlMilliseconds(owner)),
        ]))
    }

    /// Deletes the cart; whether there was one.
    @discardableResult
    func clear(_ owner: CartOwner) async throws -> Bool {
        try await redis.delete(owner.key) == 1
    }

    /// Moves `guest`'s lines into `user`'s cart; the cart afterwards, how many guest lines were
    /// merged and how many were dropped for the line limit.
    func merge(guest: CartOwner, into user: CartOwner, now: Date) async throws -> (cart: StoredCart?, merged: Int, dropped: Int) {
        let reply = try await redis.evaluate(Self.merge, keys: [user.key, guest.key, ProductProjection.key], arguments: [
            .integer(ttlMilliseconds(user)), .integer(CartLimits.maximumQuantity), .integer(CartLimits.maximumLines),
            .string(Self.newCartID()), .integer(Self.milliseconds(now)),
        ])
        guard let parts = reply.array, parts.count == 4, let dropped = parts[1].integer, let merged = parts[3].integer else {
            throw RedisError.unexpected(reply, from: "cart merge")
        }
        return (try Self.cart(from: parts[2]), Int(merged), Int(dropped))
    }

    // MARK: Replies

    static func outcome(_ reply: RedisValue) throws -> Outcome {
        guard let parts = reply.array, parts.count >= 2, let status = parts[0].string else { throw RedisError.unexpected(reply, from: "cart script") }
        switch status {
        case "ok":
            guard parts.count >= 3 else { throw RedisError.unexpected(reply, from: "cart script") }
            return .changed(try cart(from: parts[2]), started: parts[1].integer == 1)
        case "unknown_product": return .unknownProduct
        case "not_for_sale": return .notForSale
        case "currency": return .otherCurrency
        case "quantity": return .quantityAbove(current: Int(parts[1].integer ?? 0))
        case "lines": return .tooManyLines
        case "no_line": return .noSuchLine
        default: throw RedisError.unexpected(reply, from: "cart script")
        }
    }

    /// A `{fields, products}` pair as `read_cart` returns it; nil for a cart that does not exist.
    static func cart(from reply: RedisValue) throws -> StoredCart? {
        guard let pair = reply.array, pair.count == 2, let fields = pair[0].array, let products = pair[1].array, fields.count % 2 == 0 else {
            // `{{}, {}}` may arrive as an array of two empty arrays or, for an empty table, as one empty array.
            if reply.array?.allSatisfy({ $0.array?.isEmpty == true }) == true { return nil }
            throw RedisError.unexpected(reply, from: "cart read")
        }
        guard !fields.isEmpty else { return nil }
        var id: String?
        var revision = 0
        var lines: [(line: StoredLine, product: ProjectedProduct?)] = []
        var productIndex = 0
        for index in stride(from: 0, to: fields.count, by: 2) {
            guard let name = fields[index].string, let value = fields[index + 1].string else { throw RedisError.unexpected(reply, from: "cart read") }
            if name.hasPrefix("l:") {
                let productId = String(name.dropFirst(2))
                guard let line = StoredLine(productId: productId, encoded: value), productIndex < products.count else {
                    throw RedisError.unexpected(reply, from: "cart read (line \(productId))")
                }
                lines.append((line, products[productIndex].string.flatMap(ProductProjection.decode)))
                productIndex += 1
            } else if name == "id" {
                id = value
            } else if name == "rev" {
                revision = Int(value) ?? 0
            }
        }
        guard let id else { throw RedisError.unexpected(reply, from: "cart read (no id)") }
        return StoredCart(id: id, revision: revision, lines: lines)
    }

    static func newCartID() -> String { "cart-" + UUID().uuidString.lowercased() }

    static func milliseconds(_ date: Date) -> Int { Int((date.timeIntervalSince1970 * 1000).rounded()) }
}
