import BazaarContracts
import Foundation

/// What the payment service learnt of an order's outcome from the order service's events.
enum OrderOutcome: String, Codable, Sendable {
    /// `order.confirmed`: the money is kept (less any refund an administrator gave).
    case confirmed
    /// `order.cancelled`: every captured cent goes back.
    case cancelled
}

/// The money facts of one order's payment, as reconciliation reads them: the payment's columns,
/// the sums of its ledger, and the order's outcome.
struct MoneyFacts: Sendable, Equatable {
    var orderId: String
    var paymentId: String
    var status: PaymentStatus
    var amount: Money
    /// The payment row's running totals.
    var capturedMinor: Int64
    var refundedMinor: Int64
    /// The ledger's sums: money taken (`captured` entries) and given back (`refunded` entries).
    var ledgerCapturedMinor: Int64
    var ledgerRefundedMinor: Int64
    /// Given back by administrators (partial refunds), part of `ledgerRefundedMinor`.
    var adminRefundedMinor: Int64
    /// Refunds still with the provider.
    var refundsInProgress: Int
    /// Nil while the order is open (neither confirmed nor cancelled yet).
    var outcome: OrderOutcome?
}

/// One order whose money does not match its state, and how.
struct ReconciliationFinding: Codable, Sendable, Equatable {
    enum Problem: String, Codable, Sendable, CaseIterable {
        /// The payment's captured or refunded total differs from its ledger.
        case ledgerDiffers = "ledger_differs"
        /// More was given back than taken.
        case overRefunded = "over_refunded"
        /// A failed payment has money captured.
        case capturedWhileFailed = "captured_while_failed"
        /// The order is cancelled but money is still kept.
        case refundOutstanding = "refund_outstanding"
        /// The order is confirmed but its payment was never captured.
        case confirmedWithoutCapture = "confirmed_without_capture"
        /// The captured amount is not the amount the order asked for.
        case capturedDiffersFromAmount = "captured_differs_from_amount"
        /// Money went back for an order that is kept, other than an administrator's refund.
        case refundedForKeptOrder = "refunded_for_kept_order"
    }

    var orderId: String
    var paymentId: String
    /// `confirmed`, `cancelled`, or `open`.
    var outcome: String
    var paymentStatus: String
    var amount: Money
    var captured: Money
    var refunded: Money
    /// What should be kept: the amount less administrators' refunds when confirmed, nothing when
    /// cancelled; nil while the order is open.
    var expectedNet: Money?
    var actualNet: Money
    var refundsInProgress: Int
    var problems: [Problem]
}

/// The rules: per order, captured − refunded equals what its outcome says (nothing for a
/// cancelled order; the amount less administrators' refunds for a confirmed one), and the
/// payment's totals equal its ledger.
enum Reconciliation {
    /// The finding for `facts`, or nil when its money matches.
    static func check(_ facts: MoneyFacts) -> ReconciliationFinding? {
        var problems: [ReconciliationFinding.Problem] = []
        let captured = facts.ledgerCapturedMinor
        let refunded = facts.ledgerRefundedMinor
        let net = captured - refunded
        if facts.capturedMinor != captured || facts.refundedMinor != refunded { problems.append(.ledgerDiffers) }
        if refunded > captured { problems.append(.overRefunded) }
        if facts.status == .failed && captured > 0 { problems.append(.capturedWhileFailed) }
        var expected: Int64?
        switch facts.outcome {
        case .cancelled:
            expected = 0
            if net > 0 { problems.append(.refundOutstanding) }
        case .confirmed:
            expected = facts.amount.minorUnits - facts.adminRefundedMinor
            if facts.status != .captured || captured == 0 {
                problems.append(.confirmedWithoutCapture)
            } else if captured != facts.amount.minorUnits {
                problems.append(.capturedDiffersFromAmount)
            }
            if refunded > facts.adminRefundedMinor { problems.append(.refundedForKeptOrder) }
        case nil:
            if captured > facts.amount.minorUnits { problems.append(.capturedDiffersFromAmount) }
        }
        guard !problems.isEmpty else { return nil }
        let currency = facts.amount.currency
        return ReconciliationFinding(orderId: facts.orderId, paymentId: facts.paymentId, outcome: facts.outcome?.rawValue ?? "open",
                                     paymentStatus: facts.status.rawValue, amount: facts.amount,
                                     captured: Money(minorUnits: captured, currency: currency), refunded: Money(minorUnits: refunded, currency: currency),
                                     expectedNet: expected.map { Money(minorUnits: $0, currency: currency) },
                                     actualNet: Money(minorUnits: net, currency: currency), refundsInProgress: facts.refundsInProgress,
                                     problems: problems)
    }
}

/// A reconciliation run: how many orders' payments were checked, how many are still open, and
/// every mismatch.
struct ReconciliationReport: Codable, Sendable, Equatable {
    var checkedAt: Date
    var checked: Int
    var open: Int
    var mismatches: [ReconciliationFinding]

    var isClean: Bool { mismatches.isEmpty }

    /// What `bazaar-payment reconcile` prints.
    var text: String {
        var lines = ["checked \(checked) payments (\(open) for orders still open): \(mismatches.count) mismatch\(mismatches.count == 1 ? "" : "es")"]
        for finding in mismatches {
            lines.append("order \(finding.orderId) payment \(finding.paymentId) [\(finding.outcome), \(finding.paymentStatus)]: captured \(finding.captured.minorUnits) "
                         + "refunded \(finding.refunded.minorUnits) net \(finding.actualNet.minorUnits)"
                         + (finding.expectedNet.map { " expected \($0.minorUnits)" } ?? "") + " \(finding.amount.currency): "
                         + finding.problems.map(\.rawValue).joined(separator: ", ")
                         + (finding.refundsInProgress > 0 ? " (\(finding.refundsInProgress) refund(s) in progress)" : ""))
        }
        return lines.joined(separator: "\n")
    }
}
