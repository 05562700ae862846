import BazaarContracts
import Foundation
import Hummingbird

/// A payment as its customer (and administrators) see it: never more of the card than brand
/// and last four digits.
struct PaymentView: Encodable, Sendable, ResponseEncodable {
    var id: String
    var orderId: String
    var userId: String
    var status: String
    var amount: Money
    var captured: Money
    var refunded: Money
    var paymentMethod: String
    var card: CardSummary?
    var failureCode: String?
    var failureMessage: String?
    var refunds: [RefundView]?
    var createdAt: Date
    var updatedAt: Date

    init(_ payment: Payment, refunds: [Refund]? = nil) {
        id = payment.id
        orderId = payment.orderId
        userId = payment.userId
        status = payment.status.rawValue
        amount = payment.amount
        captured = payment.captured
        refunded = payment.refunded
        paymentMethod = payment.paymentMethod
        card = payment.card
        failureCode = payment.failureCode
        failureMessage = payment.failureMessage
        self.refunds = refunds.map { $0.map(RefundView.init) }
        createdAt = payment.createdAt
        updatedAt = payment.updatedAt
    }
}

struct RefundView: Encodable, Sendable, ResponseEncodable {
    var id: String
    var paymentId: String
    var orderId: String
    var amount: Money
    var cause: String
    var reason: String
    var status: String
    var failureCode: String?
    var failureMessage: String?
    var createdAt: Date
    var updatedAt: Date

    init(_ refund: Refund) {
        id = refund.id
        paymentId = refund.paymentId
        orderId = refund.orderId
        amount = refund.amount
        cause = refund.cause.rawValue
        reason = refund.reason
        status = refund.status.rawValue
        failureCode = refund.failureCode
        failureMessage = refund.failureMessage
        createdAt = refund.createdAt
        updatedAt = refund.updatedAt
    }
}

struct LedgerView: Encodable, Sendable, ResponseEncodable {
    var paymentId: String
    var entries: [Entry]

    struct Entry: Encodable, Sendable {
        var id: Int64
        var kind: String
        var amount: Money
        var refundId: String?
        var detail: String?
        var recordedAt: Date
    }

    init(paymentId: String, entries: [LedgerEntry]) {
        self.paymentId = paymentId
        self.entries = entries.map { Entry(id: $0.id, kind: $0.kind.rawValue, amount: $0.amount, refundId: $0.refundId, detail: $0.detail, recordedAt: $0.recordedAt) }
    }
}

extension ReconciliationReport: ResponseEncodable {}
