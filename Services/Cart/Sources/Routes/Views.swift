import BazaarContracts
import BazaarCore
import Hummingbird
import NIOCore

/// A cart as the API shows it.
struct CartView: Encodable, Sendable {
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

extension CartView {
    /// The view as JSON, written directly (every cart answer is one; `JSONEncoder` cost more than
    /// the rest of the request). The same members as the `Encodable` form, which the 409
    /// `total-changed` problem uses; a test keeps the two equal.
    func jsonBytes() -> [UInt8] {
        var json = JSONWriter(capacity: 256 + 320 * lines.count)
        json.object { json in
            json.field("cartId", cartId)
            json.array("lines") { json in
                for line in lines {
                    json.object { json in
                        json.field("productId", line.productId)
                        json.field("sku", line.sku)
                        json.field("name", line.name)
                        json.field("imageUrl", line.imageUrl)
                        json.field("quantity", line.quantity)
                        json.money("unitPrice", line.unitPrice)
                        json.money("lineTotal", line.lineTotal)
                        if let previous = line.previousUnitPrice { json.money("previousUnitPrice", previous) }
                        json.field("priceChanged", line.priceChanged)
                        json.field("available", line.available)
                        json.field("problem", line.problem?.rawValue)
                    }
                }
            }
            json.field("itemCount", itemCount)
            json.money("subtotal", subtotal)
            json.money("shipping", shipping)
            json.money("vatIncluded", vatIncluded)
            json.money("total", total)
            json.array("unavailableProductIds") { json in
                for id in unavailableProductIds { json.value(id) }
            }
            if let droppedLines { json.field("droppedLines", droppedLines) }
        }
        return json.bytes
    }
}

extension JSONWriter {
    mutating func money(_ key: String, _ money: Money) {
        object(key) { json in
            json.field("minorUnits", money.minorUnits)
            json.field("currency", money.currency.code)
        }
    }
}

/// The answer to an accepted checkout.
struct CheckoutAccepted: Codable, Sendable, Equatable {
    var orderId: String
    var status: String
}
