public import Foundation

/// A signed-in customer checked out a cart; the order service turns it into an order.
public struct CartCheckedOut: EventPayload {
    public static let eventType = EventType(name: "bazaar.cart.checked_out.v1", topic: TopicCatalog.carts,
                                            summary: "A cart was checked out; carries everything needed to place the order.")
    public var cartId: String
    /// The checkout's idempotency key: one checkout gives at most one order.
    public var checkoutId: String
    public var userId: String
    public var email: String
    public var lines: [OrderLine]
    public var subtotal: Money
    public var shippingCost: Money
    public var total: Money
    public var shippingAddress: PostalAddress
    public var checkedOutAt: Date

    public init(cartId: String, checkoutId: String, userId: String, email: String, lines: [OrderLine], subtotal: Money,
                shippingCost: Money, total: Money, shippingAddress: PostalAddress, checkedOutAt: Date) {
        self.cartId = cartId
        self.checkoutId = checkoutId
        self.userId = userId
        self.email = email
        self.lines = lines
        self.subtotal = subtotal
        self.shippingCost = shippingCost
        self.total = total
        self.shippingAddress = shippingAddress
        self.checkedOutAt = checkedOutAt
    }

    public var subject: String { cartId }
    public static let example = CartCheckedOut(
        cartId: "cart-91c2", checkoutId: "chk-5d10", userId: "u-7f3a", email: "ada@example.com", lines: OrderLine.examples,
        subtotal: Money(minorUnits: 13_430, currency: "EUR"), shippingCost: Money(minorUnits: 590, currency: "EUR"),
        total: Money(minorUnits: 14_020, currency: "EUR"), shippingAddress: .example, checkedOutAt: Date(timeIntervalSince1970: 1_795_002_000))
}
