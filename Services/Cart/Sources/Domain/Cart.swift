import BazaarCommerce
import BazaarContracts

/// What a cart may hold.
enum CartLimits {
    /// Units of one product per line.
    static let maximumQuantity = 99
    /// Different products per cart.
    static let maximumLines = 50
}

/// Whose cart it is: a signed-in user's (by user id) or a guest's (by the SHA-256 of the
/// opaque token the client keeps, so the store never holds a usable token).
enum CartOwner: Sendable, Equatable {
    case user(id: String)
    case guest(tokenDigest: String)

    /// The cart's key in the cart store.
    var key: String {
        switch self {
        case .user(let id): "cart:u:\(id)"
        case .guest(let digest): "cart:g:\(digest)"
        }
    }

    var isGuest: Bool {
        if case .guest = self { return true }
        return false
    }
}

/// A line as the store keeps it: how many, and the unit price the shopper saw when adding it.
struct StoredLine: Sendable, Equatable {
    var productId: String
    var quantity: Int
    var priceWhenAdded: Money
    /// Milliseconds since 1970 when the line was first added (lines are shown in this order).
    var addedAt: Int64

    /// The stored form: `<quantity>|<minor units>|<currency>|<added at ms>`.
    var encoded: String { "\(quantity)|\(priceWhenAdded.minorUnits)|\(priceWhenAdded.currency.code)|\(addedAt)" }

    init(productId: String, quantity: Int, priceWhenAdded: Money, addedAt: Int64) {
        self.productId = productId
        self.quantity = quantity
        self.priceWhenAdded = priceWhenAdded
        self.addedAt = addedAt
    }

    /// Parses the stored form; nil when it is not one.
    init?(productId: String, encoded: String) {
        // Read on every cart answer for every line: found by scanning for the three separators
        // rather than splitting into an array of substrings.
        let utf8 = encoded.utf8
        let separator = UInt8(ascii: "|")
        guard let first = utf8.firstIndex(of: separator),
              let second = utf8[utf8.index(after: first)...].firstIndex(of: separator),
              let third = utf8[utf8.index(after: second)...].firstIndex(of: separator),
              !utf8[utf8.index(after: third)...].contains(separator),
              let quantity = Int(encoded[..<first]), let minor = Int64(encoded[encoded.index(after: first)..<second]),
              let currency = Currency(code: String(encoded[encoded.index(after: second)..<third])),
              let addedAt = Int64(encoded[encoded.index(after: third)...]) else { return nil }
        self.init(productId: productId, quantity: quantity, priceWhenAdded: Money(minorUnits: minor, currency: currency), addedAt: addedAt)
    }
}

/// A product as the cart's projection of the catalog knows it.
struct ProjectedProduct: Sendable, Equatable {
    var version: Int
    var sku: String
    var name: String
    var imageUrl: String?
    /// Nil when the projection never saw a price (a product known only from its deletion).
    var price: Money?
    var active: Bool
    var deleted: Bool
}

/// A cart as read from the store: its id, revision (bumped by every change) and lines, each
/// with the product as the projection knows it (nil when the catalog never announced it).
struct StoredCart: Sendable, Equatable {
    var id: String
    var revision: Int
    var lines: [(line: StoredLine, product: ProjectedProduct?)]

    static func == (lhs: StoredCart, rhs: StoredCart) -> Bool {
        lhs.id == rhs.id && lhs.revision == rhs.revision && lhs.lines.map(\.line) == rhs.lines.map(\.line)
            && lhs.lines.map(\.product) == rhs.lines.map(\.product)
    }
}

/// Why a line cannot be checked out.
enum LineProblem: String, Codable, Sendable {
    /// The catalog never announced the product (or the cart store lost its projection).
    case unknownProduct = "unknown_product"
    /// The product is not for sale at the moment.
    case inactive
    /// The product was withdrawn from sale.
    case deleted
}

/// A cart priced with the current prices: every line, which lines block checkout, and the
/// totals of the lines that can be ordered. Pure: the same stored cart always prices the same.
struct PricedCart: Sendable, Equatable {
    struct Line: Sendable, Equatable {
        var productId: String
        var sku: String
        var name: String
        var imageUrl: String?
        var quantity: Int
        /// The current unit price (the price when added if the catalog no longer names one).
        var unitPrice: Money
        var lineTotal: Money
        /// The unit price when the line was added; differs from `unitPrice` when the price changed since.
        var priceWhenAdded: Money
        var problem: LineProblem?

        var priceChanged: Bool { priceWhenAdded != unitPrice }
    }

    var cartId: String?
    var revision: Int
    var lines: [Line]
    /// Totals of the lines without a problem.
    var quote: PriceQuote

    /// Lines that cannot be checked out.
    var blockedLines: [Line] { lines.filter { $0.problem != nil } }

    var itemCount: Int { lines.reduce(0) { $0 + $1.quantity } }

    /// Prices `cart` (nil: no cart yet) under `rules`, lines in the order they were added.
    init(_ cart: StoredCart?, rules: PricingRules) throws(PricingError) {
        cartId = cart?.id
        revision = cart?.revision ?? 0
        let ordered = (cart?.lines ?? []).sorted { ($0.line.addedAt, $0.line.productId) < ($1.line.addedAt, $1.line.productId) }
        var lines: [Line] = []
        for (stored, product) in ordered {
            let problem: LineProblem? = switch product {
            case nil: .unknownProduct
            case let product? where product.deleted: .deleted
            case let product? where !product.active: .inactive
            default: nil
            }
            let unitPrice = product?.price ?? stored.priceWhenAdded
            let lineTotal = try rules.lineTotal(PricedLine(unitPrice: unitPrice, quantity: stored.quantity))
            lines.append(Line(productId: stored.productId, sku: product?.sku ?? "", name: product?.name ?? stored.productId,
                              imageUrl: product?.imageUrl, quantity: stored.quantity, unitPrice: unitPrice, lineTotal: lineTotal,
                              priceWhenAdded: stored.priceWhenAdded, problem: problem))
        }
        self.lines = lines
        quote = try rules.quote(lines.filter { $0.problem == nil }.map { PricedLine(unitPrice: $0.unitPrice, quantity: $0.quantity) })
    }

    /// The order lines a checkout of this cart carries.
    var orderLines: [OrderLine] {
        lines.map { OrderLine(productId: $0.productId, sku: $0.sku, name: $0.name, quantity: $0.quantity, unitPrice: $0.unitPrice, lineTotal: $0.lineTotal) }
    }
}
