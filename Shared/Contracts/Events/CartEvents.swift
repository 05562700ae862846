public import Foundation

/// A signed-in customer checked out a cart; the order service turns it into an order.
public struct CartCheckedOut: EventPayload {
    public static let eventType = EventType(name: "bazaar.cart.checked_out.v1", topic: TopicCatalog.carts,
                                            summary: "A cart was checked out; carries everything needed to place the order (its id included).")
    /// The order this checkout becomes (the cart answered the shopper with it): the order service
    /// creates it once, whatever the redeliveries.
    public var orderId: String
    public var cartId: String
    /// The checkout's idempotency key: one checkout gives at most one order.
    public var checkoutId: String
    public var userId: String
    public var email: String
    public var lines: [OrderLine]
    public var subtotal: Money
    public var shippingCost: Money
    /// The VAT contained in `total` (prices include VAT).
    public var vatIncluded: Money
    public var total: Money
    public var shippingAddress: PostalAddress
    /// The payment method token the shopper chose (`tok_visa`, ...); never card data.
    public var paymentMethod: String
    public var checkedOutAt: Date

    public init(orderId: String, cartId: String, checkoutId: String, userId: String, email: String, lines: [OrderLine], subtotal: Money,
                shippingCost: Money, vatIncluded: Money, total: Money, shippingAddress: PostalAddress, paymentMethod: String, checkedOutAt: Date) {
        self.orderId = orderId
        self.cartId = cartId
        self.checkoutId = checkoutId
        self.userId = userId
        self.email = email
        self.lines = lines
        self.subtotal = subtotal
        self.shippingCost = shippingCost
        self.vatIncluded = vatIncluded
        self.total = total
        self.shippingAddress = shippingAddress
        self.paymentMethod = paymentMethod
        self.checkedOutAt = checkedOutAt
    }

    public var subject: String { cartId }
    public static let example = CartCheckedOut(
        orderId: "o-2026-000123", cartId: "cart-91c2", checkoutId: "chk-5d10", userId: "u-7f3a", email: "ada@example.com",
        lines: OrderLine.examples, subtotal: Money(minorUnits: 13_430, currency: "EUR"), shippingCost: Money(minorUnits: 0, currency: "EUR"),
        vatIncluded: Money(minorUnits: 2_144, currency: "EUR"), total: Money(minorUnits: 13_430, currency: "EUR"), shippingAddress: .example,
        paymentMethod: "tok_visa", checkedOutAt: Date(timeIntervalSince1970: 1_795_002_000))
}
