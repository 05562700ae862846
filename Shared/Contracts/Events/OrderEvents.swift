public import Foundation

/// A new order is pending; inventory reserves its stock.
public struct OrderPlaced: EventPayload {
    public static let eventType = EventType(name: "bazaar.order.placed.v1", topic: TopicCatalog.orders,
                                            summary: "An order was placed (PENDING); carries its lines, totals, customer and address.")
    public var orderId: String
    public var userId: String
    public var email: String
    public var lines: [OrderLine]
    public var subtotal: Money
    public var shippingCost: Money
    /// The VAT contained in `total` (prices include VAT).
    public var vatIncluded: Money
    public var total: Money
    public var shippingAddress: PostalAddress
    public var placedAt: Date

    public init(orderId: String, userId: String, email: String, lines: [OrderLine], subtotal: Money, shippingCost: Money,
                vatIncluded: Money, total: Money, shippingAddress: PostalAddress, placedAt: Date) {
        self.orderId = orderId
        self.userId = userId
        self.email = email
        self.lines = lines
        self.subtotal = subtotal
        self.shippingCost = shippingCost
        self.vatIncluded = vatIncluded
        self.total = total
        self.shippingAddress = shippingAddress
        self.placedAt = placedAt
    }

    public var subject: String { orderId }
    public static let example = OrderPlaced(
        orderId: "o-2026-000123", userId: "u-7f3a", email: "ada@example.com", lines: OrderLine.examples,
        subtotal: Money(minorUnits: 13_430, currency: "EUR"), shippingCost: Money(minorUnits: 0, currency: "EUR"),
        vatIncluded: Money(minorUnits: 2_144, currency: "EUR"), total: Money(minorUnits: 13_430, currency: "EUR"), shippingAddress: .example, placedAt: Date(timeIntervalSince1970: 1_795_002_001))
}

/// Stock is reserved; the payment service authorizes the amount.
public struct OrderPaymentRequested: EventPayload {
    public static let eventType = EventType(name: "bazaar.order.payment_requested.v1", topic: TopicCatalog.orders,
                                            summary: "An order awaits payment of the given amount.")
    public var orderId: String
    public var userId: String
    public var amount: Money
    /// The payment method token the shopper chose at checkout (`tok_visa`, ...); never card data.
    public var paymentMethod: String
    /// When an unanswered payment cancels the order.
    public var payBy: Date
    public var requestedAt: Date

    public init(orderId: String, userId: String, amount: Money, paymentMethod: String, payBy: Date, requestedAt: Date) {
        self.orderId = orderId
        self.userId = userId
        self.amount = amount
        self.paymentMethod = paymentMethod
        self.payBy = payBy
        self.requestedAt = requestedAt
    }

    public var subject: String { orderId }
    public static let example = OrderPaymentRequested(orderId: "o-2026-000123", userId: "u-7f3a", amount: Money(minorUnits: 13_430, currency: "EUR"),
                                                      paymentMethod: "tok_visa", payBy: Date(timeIntervalSince1970: 1_795_002_902), requestedAt: Date(timeIntervalSince1970: 1_795_002_002))
}

/// Payment is authorized: the order is confirmed; inventory commits the stock, the customer gets an email.
public struct OrderConfirmed: EventPayload {
    public static let eventType = EventType(name: "bazaar.order.confirmed.v1", topic: TopicCatalog.orders,
                                            summary: "An order was paid and confirmed; carries what the confirmation email shows.")
    public var orderId: String
    public var userId: String
    public var email: String
    public var lines: [OrderLine]
    public var subtotal: Money
    public var shippingCost: Money
    /// The VAT contained in `total` (prices include VAT).
    public var vatIncluded: Money
    public var total: Money
    public var shippingAddress: PostalAddress
    public var paymentId: String
    public var confirmedAt: Date

    public init(orderId: String, userId: String, email: String, lines: [OrderLine], subtotal: Money, shippingCost: Money,
                vatIncluded: Money, total: Money, shippingAddress: PostalAddress, paymentId: String, confirmedAt: Date) {
        self.orderId = orderId
        self.userId = userId
        self.email = email
        self.lines = lines
        self.subtotal = subtotal
        self.shippingCost = shippingCost
        self.vatIncluded = vatIncluded
        self.total = total
        self.shippingAddress = shippingAddress
        self.paymentId = paymentId
        self.confirmedAt = confirmedAt
    }

    public var subject: String { orderId }
    public static let example = OrderConfirmed(
        orderId: "o-2026-000123", userId: "u-7f3a", email: "ada@example.com", lines: OrderLine.examples,
        subtotal: Money(minorUnits: 13_430, currency: "EUR"), shippingCost: Money(minorUnits: 0, currency: "EUR"),
        vatIncluded: Money(minorUnits: 2_144, currency: "EUR"), total: Money(minorUnits: 13_430, currency: "EUR"), shippingAddress: .example, paymentId: "pay-88e1",
        confirmedAt: Date(timeIntervalSince1970: 1_795_002_040))
}

/// Why an order was cancelled.
public enum CancellationReason: String, Codable, Sendable, CaseIterable {
    case outOfStock = "out_of_stock"
    case paymentFailed = "payment_failed"
    case customerRequest = "customer_request"
    case timeout
    /// An administrator cancelled it.
    case admin
    /// The checkout's totals did not add up under the shop's pricing rules; nothing was reserved or charged.
    case invalidCheckout = "invalid_checkout"
}

/// An order was cancelled; inventory releases its stock, payment refunds what was captured.
public struct OrderCancelled: EventPayload {
    public static let eventType = EventType(name: "bazaar.order.cancelled.v1", topic: TopicCatalog.orders,
                                            summary: "An order was cancelled, with the reason.")
    public var orderId: String
    public var userId: String
    public var email: String
    public var reason: CancellationReason
    public var lines: [OrderLine]
    public var total: Money
    /// Whether money was taken and must be refunded.
    public var refundDue: Bool
    public var cancelledAt: Date

    public init(orderId: String, userId: String, email: String, reason: CancellationReason, lines: [OrderLine], total: Money,
                refundDue: Bool, cancelledAt: Date) {
        self.orderId = orderId
        self.userId = userId
        self.email = email
        self.reason = reason
        self.lines = lines
        self.total = total
        self.refundDue = refundDue
        self.cancelledAt = cancelledAt
    }

    public var subject: String { orderId }
    public static let example = OrderCancelled(orderId: "o-2026-000123", userId: "u-7f3a", email: "ada@example.com", reason: .customerRequest,
                                               lines: OrderLine.examples, total: Money(minorUnits: 13_430, currency: "EUR"), refundDue: true,
                                               cancelledAt: Date(timeIntervalSince1970: 1_795_003_000))
}

/// A confirmed order left the warehouse.
public struct OrderShipped: EventPayload {
    public static let eventType = EventType(name: "bazaar.order.shipped.v1", topic: TopicCatalog.orders,
                                            summary: "A confirmed order was handed to a carrier; carries the carrier and tracking number.")
    public var orderId: String
    public var userId: String
    public var email: String
    public var carrier: String
    public var trackingNumber: String
    public var shippedAt: Date

    public init(orderId: String, userId: String, email: String, carrier: String, trackingNumber: String, shippedAt: Date) {
        self.orderId = orderId
        self.userId = userId
        self.email = email
        self.carrier = carrier
        self.trackingNumber = trackingNumber
        self.shippedAt = shippedAt
    }

    public var subject: String { orderId }
    public static let example = OrderShipped(orderId: "o-2026-000123", userId: "u-7f3a", email: "ada@example.com", carrier: "DHL",
                                             trackingNumber: "JJD000390007770123", shippedAt: Date(timeIntervalSince1970: 1_795_090_000))
}

/// A shipped order reached the customer.
public struct OrderDelivered: EventPayload {
    public static let eventType = EventType(name: "bazaar.order.delivered.v1", topic: TopicCatalog.orders,
                                            summary: "A shipped order was delivered.")
    public var orderId: String
    public var userId: String
    public var email: String
    public var deliveredAt: Date

    public init(orderId: String, userId: String, email: String, deliveredAt: Date) {
        self.orderId = orderId
        self.userId = userId
        self.email = email
        self.deliveredAt = deliveredAt
    }

    public var subject: String { orderId }
    public static let example = OrderDelivered(orderId: "o-2026-000123", userId: "u-7f3a", email: "ada@example.com",
                                               deliveredAt: Date(timeIntervalSince1970: 1_795_180_000))
}
