public import Foundation

/// The amount of an order is authorized; the order is confirmed.
public struct PaymentAuthorized: EventPayload {
    public static let eventType = EventType(name: "bazaar.payment.authorized.v1", topic: TopicCatalog.payments,
                                            summary: "A payment for an order was authorized.")
    public var paymentId: String
    public var orderId: String
    public var userId: String
    public var amount: Money
    public var authorizedAt: Date

    public init(paymentId: String, orderId: String, userId: String, amount: Money, authorizedAt: Date) {
        self.paymentId = paymentId
        self.orderId = orderId
        self.userId = userId
        self.amount = amount
        self.authorizedAt = authorizedAt
    }

    public var subject: String { orderId }
    public static let example = PaymentAuthorized(paymentId: "pay-88e1", orderId: "o-2026-000123", userId: "u-7f3a",
                                                  amount: Money(minorUnits: 14_020, currency: "EUR"), authorizedAt: Date(timeIntervalSince1970: 1_795_002_030))
}

/// A payment for an order failed; the order is cancelled and the customer told what to do.
public struct PaymentFailed: EventPayload {
    public static let eventType = EventType(name: "bazaar.payment.failed.v1", topic: TopicCatalog.payments,
                                            summary: "A payment for an order failed, with a reason code and message.")
    public var paymentId: String
    public var orderId: String
    public var userId: String
    public var amount: Money
    /// Machine-readable reason, e.g. `card_declined`, `insufficient_funds`, `expired_card`.
    public var reasonCode: String
    /// What the customer is told.
    public var message: String
    public var failedAt: Date

    public init(paymentId: String, orderId: String, userId: String, amount: Money, reasonCode: String, message: String, failedAt: Date) {
        self.paymentId = paymentId
        self.orderId = orderId
        self.userId = userId
        self.amount = amount
        self.reasonCode = reasonCode
        self.message = message
        self.failedAt = failedAt
    }

    public var subject: String { orderId }
    public static let example = PaymentFailed(paymentId: "pay-88e2", orderId: "o-2026-000125", userId: "u-7f3a",
                                              amount: Money(minorUnits: 14_020, currency: "EUR"), reasonCode: "card_declined",
                                              message: "The card was declined by its issuer.", failedAt: Date(timeIntervalSince1970: 1_795_002_031))
}

/// Money was returned to the customer.
public struct PaymentRefunded: EventPayload {
    public static let eventType = EventType(name: "bazaar.payment.refunded.v1", topic: TopicCatalog.payments,
                                            summary: "A payment was refunded (in full or in part).")
    public var paymentId: String
    public var refundId: String
    public var orderId: String
    public var userId: String
    public var amount: Money
    public var refundedAt: Date

    public init(paymentId: String, refundId: String, orderId: String, userId: String, amount: Money, refundedAt: Date) {
        self.paymentId = paymentId
        self.refundId = refundId
        self.orderId = orderId
        self.userId = userId
        self.amount = amount
        self.refundedAt = refundedAt
    }

    public var subject: String { orderId }
    public static let example = PaymentRefunded(paymentId: "pay-88e1", refundId: "rf-0c19", orderId: "o-2026-000123", userId: "u-7f3a",
                                                amount: Money(minorUnits: 14_020, currency: "EUR"), refundedAt: Date(timeIntervalSince1970: 1_795_003_100))
}
