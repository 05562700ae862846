import BazaarContracts
import BazaarRedis

/// The cart's own copy of what it needs from the catalog — name, SKU, first image, price, whether
/// it is for sale — kept from the catalog's product events, so no request calls the catalog.
///
/// One hash, `products`, with one field per product id (so a cart's products are one `HMGET`,
/// whatever the number of lines). Each value is ``encode(_:)``'s
/// `<version>|<active>|<deleted>|<price>|<currency>|<SKU bytes>|<image bytes>|<SKU><image><name>`:
/// the numbers first, so a script reads the version and price with one pattern; the free texts
/// last, counted in bytes, so no character in them can be taken for a separator. A snapshot is
/// applied only when its version is newer than the one held, so redeliveries and events of
/// different products arriving out of order change nothing; products are never evicted (the
/// cart store runs `noeviction`).
struct ProductProjection: Sendable {
    let redis: RedisClient

    /// The projection's hash.
    static let key = "products"

    /// Lua: the leading fields of an encoded product — version, active, deleted, price, currency.
    static let luaPattern = "'^(%d+)|(%d)|(%d)|(%-?%d*)|(%a*)|'"

    /// KEYS: products. ARGV: product id, version, encoded product. 1 when applied, 0 when the
    /// projection holds this version or a newer one.
    static let applySnapshot = RedisScript("""
        local current = redis.call('HGET', KEYS[1], ARGV[1])
        if current and tonumber(string.match(current, '^(%d+)|')) >= tonumber(ARGV[2]) then return 0 end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
        return 1
        """)

    /// KEYS: products. ARGV: product id, version, SKU. Marks the product withdrawn, keeping its
    /// name, image and price for the carts that hold it. 1 when applied, 0 when older than what is held.
    static let applyDeletion = RedisScript("""
        local current = redis.call('HGET', KEYS[1], ARGV[1])
        local price, currency, image_bytes, tail = '', '', '0', ''
        if current then
            if tonumber(string.match(current, '^(%d+)|')) >= tonumber(ARGV[2]) then return 0 end
            local sku_bytes
            price, currency, sku_bytes, image_bytes, tail = string.match(current, '^%d+|%d|%d|(%-?%d*)|(%a*)|(%d+)|(%d+)|(.*)$')
            tail = string.sub(tail, tonumber(sku_bytes) + 1)
        end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|0|1|' .. price .. '|' .. currency .. '|' .. #ARGV[3] .. '|' .. image_bytes .. '|' .. ARGV[3] .. tail)
        return 1
        """)

    /// Applies a catalog snapshot; false when it was not newer than what the projection holds.
    @discardableResult
    func apply(_ product: ProductSnapshot) async throws -> Bool {
        let projected = ProjectedProduct(version: product.version, sku: product.sku, name: product.name, imageUrl: product.imageUrl,
                                         price: product.price, active: product.active, deleted: false)
        return try await redis.evaluate(Self.applySnapshot, keys: [Self.key], arguments: [
            .string(product.productId), .integer(product.version), .string(Self.encode(projected)),
        ]).integer == 1
    }

    /// Applies a deletion; false when it was not newer than what the projection holds.
    @discardableResult
    func applyDeletion(productId: String, sku: String, version: Int) async throws -> Bool {
        try await redis.evaluate(Self.applyDeletion, keys: [Self.key], arguments: [.string(productId), .integer(version), .string(sku)]).integer == 1
    }

    /// The product as the projection holds it; nil when it does not know it.
    func product(_ productId: String) async throws -> ProjectedProduct? {
        try await redis.hashGet(Self.key, field: productId).flatMap(Self.decode)
    }

    /// A product as the hash holds it.
    static func encode(_ product: ProjectedProduct) -> String {
        let image = product.imageUrl ?? ""
        let price = product.price.map { ("\($0.minorUnits)", $0.currency.code) } ?? ("", "")
        return "\(product.version)|\(product.active ? 1 : 0)|\(product.deleted ? 1 : 0)|\(price.0)|\(price.1)|"
            + "\(product.sku.utf8.count)|\(image.utf8.count)|\(product.sku)\(image)\(product.name)"
    }

    /// The product from a value written by ``encode(_:)`` (or by the deletion script); nil for
    /// anything else.
    static func decode(_ value: String) -> ProjectedProduct? {
        let bytes = Array(value.utf8)
        var fields: [String] = []
        var start = 0
        for index in bytes.indices where fields.count < 7 && bytes[index] == UInt8(ascii: "|") {
            fields.append(String(decoding: bytes[start..<index], as: UTF8.self))
            start = index + 1
        }
        guard fields.count == 7, let version = Int(fields[0]), let skuBytes = Int(fields[5]), let imageBytes = Int(fields[6]),
              skuBytes >= 0, imageBytes >= 0, start + skuBytes + imageBytes <= bytes.count else { return nil }
        let text = { (from: Int, to: Int) in String(decoding: bytes[from..<to], as: UTF8.self) }
        let sku = text(start, start + skuBytes)
        let image = text(start + skuBytes, start + skuBytes + imageBytes)
        let name = text(start + skuBytes + imageBytes, bytes.count)
        let price: Money? = if let minor = Int64(fields[3]), let currency = Currency(code: fields[4]) {
            Money(minorUnits: minor, currency: currency)
        } else {
            nil
        }
        return ProjectedProduct(version: version, sku: sku, name: name.isEmpty ? sku : name, imageUrl: image.isEmpty ? nil : image,
                                price: price, active: fields[1] == "1", deleted: fields[2] == "1")
    }
}
