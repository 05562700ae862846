import BazaarCommerce
import BazaarContracts
import Foundation
import Hummingbird

/// An order as its customer (and administrators) see it.
struct OrderView: Encodable, Sendable, ResponseEncodable {
    var id: String
    var userId: String
    var status: String
    var cancellationReason: String?
    var lines: [OrderLine]
    var subtotal: Money
    var shipping: Money
    var vatIncluded: Money
    var total: Money
    var shippingAddress: PostalAddress
    var paymentMethod: String
    var payment: PaymentView?
    var shipment: ShipmentView?
    var placedAt: Date
    /// Until when an unpaid order waits for its payment.
    var payBy: Date?
    var updatedAt: Date
    var history: [HistoryView]

    struct PaymentView: Encodable, Sendable {
        var paymentId: String
        var captured: Money
        var refunded: Money
    }

    struct ShipmentView: Encodable, Sendable {
        var carrier: String
        var trackingNumber: String
    }

    struct HistoryView: Encodable, Sendable {
        var status: String
        var reason: String?
        var detail: String?
        var at: Date
        var eventId: String?
    }

    init(_ order: Order) {
        id = order.id
        userId = order.userId
        status = order.status.rawValue
        cancellationReason = order.cancellationReason?.rawValue
        lines = order.lines
        subtotal = order.totals.subtotal
        shipping = order.totals.shipping
        vatIncluded = order.totals.vatIncluded
        total = order.totals.total
        shippingAddress = order.shippingAddress
        paymentMethod = order.paymentMethod
        payment = order.payment.map {
            PaymentView(paymentId: $0.paymentId, captured: $0.captured, refunded: Money(minorUnits: $0.refunded, currency: $0.captured.currency))
        }
        shipment = order.shipment.map { ShipmentView(carrier: $0.carrier, trackingNumber: $0.trackingNumber) }
        placedAt = order.placedAt
        payBy = order.status == .pending || order.status == .awaitingPayment ? order.payBy : nil
        updatedAt = order.updatedAt
        history = order.history.map { HistoryView(status: $0.status.rawValue, reason: $0.reason, detail: $0.detail, at: $0.at, eventId: $0.eventId) }
    }
}

/// An order in a list: enough to show a row and link to it.
struct OrderSummaryView: Encodable, Sendable {
    var id: String
    var userId: String
    var status: String
    var cancellationReason: String?
    var itemCount: Int
    var total: Money
    var placedAt: Date
    var updatedAt: Date

    init(_ order: Order) {
        id = order.id
        userId = order.userId
        status = order.status.rawValue
        cancellationReason = order.cancellationReason?.rawValue
        itemCount = order.lines.reduce(0) { $0 + $1.quantity }
        total = order.totals.total
        placedAt = order.placedAt
        updatedAt = order.updatedAt
    }
}
