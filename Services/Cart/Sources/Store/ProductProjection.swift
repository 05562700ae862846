import BazaarContracts
import BazaarRedis

/// The cart's own copy of what it needs from the catalog — name, SKU, first image, price, whether
/// it is for sale — kept from the catalog's product events, so no request calls the catalog.
///
/// One hash per product, `product:<id>`: `v` (the catalog's product version), `sku`, `name`,
/// `img`, `price` (minor units), `cur`, `active`, `deleted` (`1`/`0`). A snapshot is applied
/// only when its version is newer than the one held, so redeliveries and events of different
/// products arriving out of order change nothing; products are never evicted (the cart store
/// runs `noeviction`).
struct ProductProjection: Sendable {
    let redis: RedisClient

    static let keyPrefix = "product:"

    static func key(_ productId: String) -> String { keyPrefix + productId }

    /// KEYS: product. ARGV: version, sku, name, image, price, currency, active, deleted. 1 when
    /// applied, 0 when the projection holds this version or a newer one.
    static let applySnapshot = RedisScript("""
        local current = redis.call('HGET', KEYS[1], 'v')
        if current and tonumber(current) >= tonumber(ARGV[1]) then return 0 end
        redis.call('HSET', KEYS[1], 'v', ARGV[1], 'sku', ARGV[2], 'name', ARGV[3], 'img', ARGV[4], 'price', ARGV[5], 'cur', ARGV[6],
            'active', ARGV[7], 'deleted', ARGV[8])
        return 1
        """)

    /// KEYS: product. ARGV: version, sku. Marks the product withdrawn (keeping its name and price for
    /// the carts that hold it). 1 when applied, 0 when older than what is held.
    static let applyDeletion = RedisScript("""
        local current = redis.call('HGET', KEYS[1], 'v')
        if current and tonumber(current) >= tonumber(ARGV[1]) then return 0 end
        redis.call('HSET', KEYS[1], 'v', ARGV[1], 'sku', ARGV[2], 'active', '0', 'deleted', '1')
        return 1
        """)

    /// Applies a catalog snapshot; false when it was not newer than what the projection holds.
    @discardableResult
    func apply(_ product: ProductSnapshot) async throws -> Bool {
        try await redis.evaluate(Self.applySnapshot, keys: [Self.key(product.productId)], arguments: [
            .integer(product.version), .string(product.sku), .string(product.name), .string(product.imageUrl ?? ""),
            .string(String(product.price.minorUnits)), .string(product.price.currency.code), .string(product.active ? "1" : "0"), "0",
        ]).integer == 1
    }

    /// Applies a deletion; false when it was not newer than what the projection holds.
    @discardableResult
    func applyDeletion(productId: String, sku: String, version: Int) async throws -> Bool {
        try await redis.evaluate(Self.applyDeletion, keys: [Self.key(productId)], arguments: [.integer(version), .string(sku)]).integer == 1
    }

    /// The product from an `HMGET v sku name img price cur active deleted` reply; nil when the
    /// projection does not know it.
    static func product(from reply: RedisValue) -> ProjectedProduct? {
        guard let fields = reply.array, fields.count == 8, let version = fields[0].integer, let sku = fields[1].string else { return nil }
        let price: Money? = if let minor = fields[4].integer, let code = fields[5].string, let currency = Currency(code: code) {
            Money(minorUnits: minor, currency: currency)
        } else {
            nil
        }
        let image = fields[3].string.flatMap { $0.isEmpty ? nil : $0 }
        return ProjectedProduct(version: Int(version), sku: sku, name: fields[2].string ?? sku, imageUrl: image, price: price,
                                active: fields[6].string == "1", deleted: fields[7].string == "1")
    }
}
