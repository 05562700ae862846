import BazaarContracts
import Foundation

/// Where a payment is. `processing`: the provider is (or will be) asked; `awaitingProvider`: it
/// answers later by webhook; `captured` and `failed` are final.
enum PaymentStatus: String, Codable, Sendable, CaseIterable {
    case processing
    case awaitingProvider = "awaiting_provider"
    case captured
    case failed
}

/// Where a refund is: `processing` until the provider answered, then `succeeded` or `failed`.
enum RefundStatus: String, Codable, Sendable, CaseIterable {
    case processing
    case succeeded
    case failed
}

/// Why a refund was made: the order was cancelled with money captured, or an administrator gave
/// money back (a partial refund).
enum RefundCause: String, Codable, Sendable {
    case orderCancelled = "order_cancelled"
    case admin
}

/// What may be kept of a card: its brand and last four digits. Never the number.
struct CardSummary: Codable, Sendable, Equatable {
    var brand: String
    var last4: String
}

/// A payment for one order, as stored.
struct Payment: Sendable, Equatable {
    var id: String
    var orderId: String
    var userId: String
    var amount: Money
    var paymentMethod: String
    var card: CardSummary?
    var status: PaymentStatus
    /// Sent to the provider with every attempt to charge (`charge-<payment id>`).
    var idempotencyKey: String
    var providerReference: String?
    var failureCode: String?
    var failureMessage: String?
    var capturedMinor: Int64
    var refundedMinor: Int64
    var attempts: Int
    var lastError: String?
    var createdAt: Date
    var updatedAt: Date

    var captured: Money { Money(minorUnits: capturedMinor, currency: amount.currency) }
    var refunded: Money { Money(minorUnits: refundedMinor, currency: amount.currency) }

    /// The provider idempotency key of the charge of payment `id`: derived from the payment, so
    /// every attempt (after a crash, on another replica) sends the same one.
    static func chargeKey(paymentId: String) -> String { "charge-\(paymentId)" }
}

/// Money given back from a payment.
struct Refund: Sendable, Equatable {
    var id: String
    var paymentId: String
    var orderId: String
    var amount: Money
    var cause: RefundCause
    var reason: String
    var requestedBy: String
    var status: RefundStatus
    var idempotencyKey: String
    var providerReference: String?
    var failureCode: String?
    var failureMessage: String?
    var createdAt: Date
    var updatedAt: Date

    /// The provider idempotency key of refund `id`.
    static func refundKey(refundId: String) -> String { "refund-\(refundId)" }
}

/// One line of the append-only ledger.
struct LedgerEntry: Sendable, Equatable {
    enum Kind: String, Sendable, CaseIterable {
        case created
        case attemptFailed = "attempt_failed"
        case awaitingProvider = "awaiting_provider"
        case captured
        case failed
        case refundRequested = "refund_requested"
        case refunded
        case refundFailed = "refund_failed"
    }

    var id: Int64
    var paymentId: String
    var orderId: String
    var refundId: String?
    var kind: Kind
    /// Signed: + money taken, − money given back, 0 for a change of state.
    var amount: Money
    var detail: String?
    var recordedAt: Date
}

/// New ids: a prefix and 24 random hexadecimal digits (`pay_3f9c…`).
enum PaymentIdentifiers {
    static func make(_ prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = (0..<3).map { _ in String(generator.next() as UInt64, radix: 16) }.map { String(repeating: "0", count: 16 - $0.count) + $0 }
        return prefix + "_" + String(digits.joined().prefix(24))
    }
}
