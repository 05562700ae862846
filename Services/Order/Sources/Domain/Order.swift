import BazaarCommerce
import BazaarContracts
import Foundation

/// Where an order is in the saga. PENDING → AWAITING_PAYMENT → CONFIRMED → SHIPPED → DELIVERED;
/// CANCELLED from PENDING, AWAITING_PAYMENT or CONFIRMED.
enum OrderStatus: String, Codable, Sendable, CaseIterable {
    case pending
    case awaitingPayment = "awaiting_payment"
    case confirmed
    case shipped
    case delivered
    case cancelled

    /// Whether the order can still change status by the saga or a person.
    var isFinal: Bool { self == .delivered || self == .cancelled }
}

/// One entry of an order's history: a status reached (or a fact recorded, such as a refund), why,
/// when, and the id of the event that caused it (nil for a person's request or the timeout sweep).
struct HistoryEntry: Codable, Sendable, Equatable {
    var status: OrderStatus
    /// A code: a ``CancellationReason`` for a cancellation, `refunded`, `late_payment_refund_requested`.
    var reason: String?
    /// Words for people, where the code needs them (what did not add up in a checkout).
    var detail: String?
    var at: Date
    var eventId: String?

    init(status: OrderStatus, reason: String? = nil, detail: String? = nil, at: Date, eventId: String?) {
        self.status = status
        self.reason = reason
        self.detail = detail
        self.at = at
        self.eventId = eventId
    }
}

/// The carrier and tracking number of a shipped order.
struct Shipment: Codable, Sendable, Equatable {
    var carrier: String
    var trackingNumber: String
}

/// The payment the saga learnt of: which one, how much it captured, and what was refunded.
struct PaymentRecord: Codable, Sendable, Equatable {
    var paymentId: String
    var captured: Money
    /// Refund ids already counted (a refund event counts once, whatever its event id).
    var refundIds: [String] = []
    var refunded: Int64 = 0

    /// Captured money not refunded yet.
    var outstanding: Int64 { captured.minorUnits - refunded }
}

/// An order: what was bought at which prices, where it goes, how it is paid, and where it is in
/// the saga. A value: ``applying(_:at:eventId:)`` is the one place its status changes.
struct Order: Codable, Sendable, Equatable {
    let id: String
    let userId: String
    let email: String
    let cartId: String
    let checkoutId: String
    let lines: [OrderLine]
    /// Subtotal, shipping, total and the VAT contained, as the shared pricing rules compute them.
    let totals: PriceQuote
    let shippingAddress: PostalAddress
    /// The payment method token from the checkout (never card data).
    let paymentMethod: String
    let placedAt: Date
    /// A PENDING or AWAITING_PAYMENT order still open then is cancelled with `timeout`.
    let payBy: Date
    var status: OrderStatus
    var cancellationReason: CancellationReason?
    var reservationId: String?
    var payment: PaymentRecord?
    /// Set when an `order.cancelled` asked for the captured money back.
    var refundRequested: Bool = false
    var shipment: Shipment?
    var history: [HistoryEntry]
    var updatedAt: Date
    /// Bumped by every change that is saved.
    var version: Int

    var currency: Currency { totals.total.currency }
    var confirmedAt: Date? { history.last { $0.status == .confirmed }?.at }
}

/// What can happen to an order: events of the saga, people's requests, and the payment deadline.
enum OrderInput: Sendable, Equatable {
    case stockReserved(reservationId: String)
    /// No stock for the order (when it was placed, or when its confirmation found an expired hold's units gone).
    case stockRejected
    /// The order's units went back to sale: `expired` when the hold ran out, else because the order was cancelled.
    case stockReleased(expired: Bool)
    case paymentAuthorized(paymentId: String, amount: Money)
    case paymentFailed(reasonCode: String, message: String)
    case paymentRefunded(refundId: String, amount: Money)
    case cancel(by: Canceller)
    case ship(Shipment)
    case deliver
    /// The payment deadline (``Order/payBy``) passed.
    case paymentDeadlinePassed

    /// Who asked to cancel.
    enum Canceller: Sendable, Equatable {
        case customer
        case admin
    }
}

/// An event the order service publishes because of a transition.
enum Announcement: Sendable, Equatable {
    case placed
    case paymentRequested
    case confirmed
    case cancelled(refundDue: Bool)
    case shipped
    case delivered
}

/// The result of applying an input: the order afterwards and what to announce, or the order
/// unchanged with the reason the input did not apply (logged for events, 409 for requests).
struct Transition: Sendable, Equatable {
    enum Outcome: Sendable, Equatable {
        /// The order changed (status, or a recorded fact such as a refund).
        case changed
        /// Nothing changed; why.
        case unchanged(String)
    }

    var order: Order
    var announcements: [Announcement]
    var outcome: Outcome

    var changed: Bool { outcome == .changed }
}

extension Order {
    /// The state machine: applies `input` at `time`. An input that does not apply in the current
    /// status returns the order unchanged with the reason; it never corrupts it. The decisions for
    /// late and out-of-order events are here, each with why (the README lists them too).
    func applying(_ input: OrderInput, at time: Date, eventId: String? = nil) -> Transition {
        switch (status, input) {
        // Stock.
        case (.pending, .stockReserved(let reservationId)):
            var next = self
            next.reservationId = reservationId
            return next.moved(to: .awaitingPayment, reason: nil, at: time, eventId: eventId, announcing: [.paymentRequested])
        case (.pending, .stockRejected):
            return cancelled(.outOfStock, at: time, eventId: eventId)
        case (.confirmed, .stockRejected):
            // The confirmation came after the hold expired and the units were sold meanwhile:
            // the order cannot be fulfilled; the captured money goes back.
            return cancelled(.outOfStock, at: time, eventId: eventId)
        case (.pending, .stockReleased(expired: true)), (.awaitingPayment, .stockReleased(expired: true)):
            return cancelled(.timeout, at: time, eventId: eventId)
        case (.cancelled, .stockReserved):
            // Inventory releases the units itself: it reads this order's order.cancelled after its
            // order.placed on the same partition.
            return unchanged("stock reserved for an order already cancelled; inventory releases it on order.cancelled")
        case (_, .stockReserved):
            return unchanged("stock already reserved (status \(status.rawValue))")
        case (_, .stockRejected):
            return unchanged("stock rejected for an order in status \(status.rawValue)")
        case (.confirmed, .stockReleased(expired: true)):
            return unchanged("the hold expired after payment; inventory takes the units again on order.confirmed")
        case (_, .stockReleased):
            return unchanged("stock released for an order in status \(status.rawValue)")

        // Payment.
        case (.awaitingPayment, .paymentAuthorized(let paymentId, let amount)):
            var next = self
            next.payment = PaymentRecord(paymentId: paymentId, captured: amount)
            return next.moved(to: .confirmed, reason: nil, at: time, eventId: eventId, announcing: [.confirmed])
        case (.cancelled, .paymentAuthorized(let paymentId, let amount)):
            // Paid after the order was cancelled (timeout, customer): it stays cancelled and the
            // money is asked back with a second order.cancelled carrying refundDue.
            guard payment == nil else { return unchanged("payment \(paymentId) authorized again for a cancelled order") }
            var next = self
            next.payment = PaymentRecord(paymentId: paymentId, captured: amount)
            next.refundRequested = true
            next.history.append(HistoryEntry(status: .cancelled, reason: "late_payment_refund_requested", at: time, eventId: eventId))
            next.updatedAt = time
            return Transition(order: next, announcements: [.cancelled(refundDue: true)], outcome: .changed)
        case (_, .paymentAuthorized(let paymentId, _)):
            return unchanged(payment?.paymentId == paymentId ? "payment \(paymentId) already recorded"
                                                           : "payment \(paymentId) authorized for an order in status \(status.rawValue)")
        case (.awaitingPayment, .paymentFailed):
            return cancelled(.paymentFailed, at: time, eventId: eventId)
        case (_, .paymentFailed):
            return unchanged("payment failed for an order in status \(status.rawValue)")
        case (_, .paymentRefunded(let refundId, let amount)):
            guard var payment, !payment.refundIds.contains(refundId) else { return unchanged("refund \(refundId) already recorded or no payment known") }
            payment.refundIds.append(refundId)
            payment.refunded += amount.minorUnits
            var next = self
            next.payment = payment
            next.history.append(HistoryEntry(status: status, reason: "refunded", at: time, eventId: eventId))
            next.updatedAt = time
            return Transition(order: next, announcements: [], outcome: .changed)

        // People and the clock.
        case (.pending, .cancel(let by)), (.awaitingPayment, .cancel(let by)), (.confirmed, .cancel(let by)):
            return cancelled(by == .admin ? .admin : .customerRequest, at: time, eventId: eventId)
        case (_, .cancel):
            return unchanged(status == .cancelled ? "The order is already cancelled." : "The order has been \(status.rawValue) and can no longer be cancelled.")
        case (.confirmed, .ship(let shipment)):
            var next = self
            next.shipment = shipment
            return next.moved(to: .shipped, reason: nil, at: time, eventId: eventId, announcing: [.shipped])
        case (_, .ship):
            return unchanged("Only a confirmed order can be shipped; this one is \(status.rawValue).")
        case (.shipped, .deliver):
            return moved(to: .delivered, reason: nil, at: time, eventId: eventId, announcing: [.delivered])
        case (_, .deliver):
            return unchanged("Only a shipped order can be delivered; this one is \(status.rawValue).")
        case (.pending, .paymentDeadlinePassed), (.awaitingPayment, .paymentDeadlinePassed):
            return cancelled(.timeout, at: time, eventId: eventId)
        case (_, .paymentDeadlinePassed):
            return unchanged("payment deadline passed in status \(status.rawValue)")
        }
    }

    private func unchanged(_ why: String) -> Transition {
        Transition(order: self, announcements: [], outcome: .unchanged(why))
    }

    private func moved(to status: OrderStatus, reason: String?, at time: Date, eventId: String?, announcing: [Announcement]) -> Transition {
        var next = self
        next.status = status
        next.history.append(HistoryEntry(status: status, reason: reason, at: time, eventId: eventId))
        next.updatedAt = time
        return Transition(order: next, announcements: announcing, outcome: .changed)
    }

    /// Cancels with `reason`; a refund is due when money was captured and not given back yet.
    private func cancelled(_ reason: CancellationReason, at time: Date, eventId: String?) -> Transition {
        var next = self
        next.cancellationReason = reason
        let refundDue = (payment?.outstanding ?? 0) > 0
        next.refundRequested = refundDue
        return next.moved(to: .cancelled, reason: reason.rawValue, at: time, eventId: eventId, announcing: [.cancelled(refundDue: refundDue)])
    }
}
