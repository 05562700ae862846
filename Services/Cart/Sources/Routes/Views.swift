import BazaarContracts
import BazaarCore
import Hummingbird

/// A cart as the API shows it.
struct CartView: Encodable, ResponseEncodable, Sendable {
    struct Line: Encodable, Sendable {
        var productId: String
        var sku: String
        var name: String
        var imageUrl: String?
        var quantity: Int
        var unitPrice: Money
        var lineTotal: Money
        /// Present only when the price changed since the line was added: what it was then.
        var previousUnitPrice: Money?
        var priceChanged: Bool
        /// False when the line cannot be checked out (see `problem`).
        var available: Bool
        var problem: LineProblem?
    }

    /// Nil until something was added.
    var cartId: String?
    var lines: [Line]
    var itemCount: Int
    var subtotal: Money
    var shipping: Money
    var vatIncluded: Money
    var total: Money
    /// Product ids of lines that block checkout.
    var unavailableProductIds: [String]
    /// Guest lines dropped by a merge for the line limit (merge answers only).
    var droppedLines: Int?

    init(_ cart: PricedCart, droppedLines: Int? = nil) {
        cartId = cart.cartId
        lines = cart.lines.map { line in
            Line(productId: line.productId, sku: line.sku, name: line.name, imageUrl: line.imageUrl, quantity: line.quantity,
                 unitPrice: line.unitPrice, lineTotal: line.lineTotal, previousUnitPrice: line.priceChanged ? line.priceWhenAdded : nil,
                 priceChanged: line.priceChanged, available: line.problem == nil, problem: line.problem)
        }
        itemCount = cart.itemCount
        subtotal = cart.quote.subtotal
        shipping = cart.quote.shipping
        vatIncluded = cart.quote.vatIncluded
        total = cart.quote.total
        unavailableProductIds = cart.blockedLines.map(\.productId)
        self.droppedLines = droppedLines
    }
}

/// The answer to an accepted checkout.
struct CheckoutAccepted: Codable, Sendable, Equatable {
    var orderId: String
    var status: String
}
