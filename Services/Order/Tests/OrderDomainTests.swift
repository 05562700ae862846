import BazaarCommerce
import BazaarContracts
import Foundation
@testable import BazaarOrder
import Testing

/// The state machine and the checkout rules, without any store.
@Suite("Order state machine")
struct OrderDomainTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static func euro(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: "EUR") }

    static func order(_ status: OrderStatus, paid: Bool = false) -> Order {
        var order = Placement.order(from: checkout(), rules: .standard, paymentTimeout: .seconds(600), at: now, eventId: "e-0").order
        order.status = status
        if paid || [.confirmed, .shipped, .delivered].contains(status) {
            order.payment = PaymentRecord(paymentId: "pay-1", captured: euro(2_490))
        }
        if status == .cancelled { order.cancellationReason = .customerRequest }
        return order
    }

    static func checkout(lines: [OrderLine]? = nil, total: Int64? = nil) -> CartCheckedOut {
        let lines = lines ?? [OrderLine(productId: "p-1", sku: "SKU-1", name: "Lamp", quantity: 2, unitPrice: euro(1_000), lineTotal: euro(2_000))]
        let quote = try! PricingRules.standard.quote(lines.map { PricedLine(unitPrice: $0.unitPrice, quantity: $0.quantity) })
        return CartCheckedOut(orderId: "o-1", cartId: "c-1", checkoutId: "k-1", userId: "u-1", email: "ada@example.com", lines: lines,
                              subtotal: quote.subtotal, shippingCost: quote.shipping, vatIncluded: quote.vatIncluded,
                              total: total.map(euro) ?? quote.total,
                              shippingAddress: PostalAddress(name: "Ada", line1: "1 Row", city: "London", postalCode: "N1", country: "GB"),
                              paymentMethod: "tok_visa", checkedOutAt: now)
    }

    static let inputs: [(String, OrderInput)] = [
        ("stockReserved", .stockReserved(reservationId: "r-1")),
        ("stockRejected", .stockRejected),
        ("stockReleased(expired)", .stockReleased(expired: true)),
        ("stockReleased(cancelled)", .stockReleased(expired: false)),
        ("paymentAuthorized", .paymentAuthorized(paymentId: "pay-2", amount: euro(2_490))),
        ("paymentFailed", .paymentFailed(reasonCode: "card_declined", message: "Declined")),
        ("paymentRefunded", .paymentRefunded(refundId: "rf-1", amount: euro(2_490))),
        ("cancel(customer)", .cancel(by: .customer)),
        ("cancel(admin)", .cancel(by: .admin)),
        ("ship", .ship(Shipment(carrier: "DHL", trackingNumber: "T-1"))),
        ("deliver", .deliver),
        ("paymentDeadlinePassed", .paymentDeadlinePassed),
    ]

    /// What each (status, input) pair must come to: the next status and the announcements, or nil
    /// for "unchanged". Every pair of the product is listed, so a new status or input fails here.
    static func expected(_ status: OrderStatus, _ input: String) -> (OrderStatus, [Announcement])? {
        switch (status, input) {
        case (.pending, "stockReserved"): (.awaitingPayment, [.paymentRequested])
        case (.pending, "stockRejected"): (.cancelled, [.cancelled(refundDue: false)])
        case (.pending, "stockReleased(expired)"), (.awaitingPayment, "stockReleased(expired)"): (.cancelled, [.cancelled(refundDue: false)])
        case (.pending, "cancel(customer)"), (.pending, "cancel(admin)"), (.awaitingPayment, "cancel(customer)"), (.awaitingPayment, "cancel(admin)"):
            (.cancelled, [.cancelled(refundDue: false)])
        case (.pending, "paymentDeadlinePassed"), (.awaitingPayment, "paymentDeadlinePassed"): (.cancelled, [.cancelled(refundDue: false)])
        case (.awaitingPayment, "paymentAuthorized"): (.confirmed, [.confirmed])
        case (.awaitingPayment, "paymentFailed"): (.cancelled, [.cancelled(refundDue: false)])
        case (.confirmed, "stockRejected"): (.cancelled, [.cancelled(refundDue: true)])
        case (.confirmed, "cancel(customer)"), (.confirmed, "cancel(admin)"): (.cancelled, [.cancelled(refundDue: true)])
        case (.confirmed, "ship"): (.shipped, [.shipped])
        case (.shipped, "deliver"): (.delivered, [.delivered])
        case (.cancelled, "paymentAuthorized"): (.cancelled, [.cancelled(refundDue: true)])
        // A refund is recorded whatever the status, when a payment is known.
        case (.confirmed, "paymentRefunded"), (.shipped, "paymentRefunded"), (.delivered, "paymentRefunded"): (status, [])
        default: nil
        }
    }

    @Test("every (status, input) pair: the right next status and events, or the order unchanged",
          arguments: OrderStatus.allCases)
    func everyPair(status: OrderStatus) {
        for (name, input) in Self.inputs {
            let before = Self.order(status)
            let transition = before.applying(input, at: Self.now.addingTimeInterval(5), eventId: "e-1")
            if let (next, announcements) = Self.expected(status, name) {
                #expect(transition.changed, "\(status) + \(name) should change the order")
                #expect(transition.order.status == next, "\(status) + \(name)")
                #expect(transition.announcements == announcements, "\(status) + \(name)")
                #expect(transition.order.history.count == before.history.count + 1, "\(status) + \(name) adds one history entry")
                #expect(transition.order.history.last?.eventId == "e-1")
                #expect(transition.order.lines == before.lines && transition.order.totals == before.totals, "lines and totals never change")
            } else {
                #expect(!transition.changed, "\(status) + \(name) should leave the order unchanged")
                #expect(transition.order == before, "\(status) + \(name) changed the order")
                #expect(transition.announcements.isEmpty)
            }
        }
    }

    @Test("cancellations carry their reason")
    func cancellationReasons() {
        let cases: [(OrderStatus, OrderInput, CancellationReason)] = [
            (.pending, .stockRejected, .outOfStock), (.awaitingPayment, .paymentFailed(reasonCode: "x", message: "y"), .paymentFailed),
            (.awaitingPayment, .stockReleased(expired: true), .timeout), (.pending, .paymentDeadlinePassed, .timeout),
            (.confirmed, .cancel(by: .customer), .customerRequest), (.confirmed, .cancel(by: .admin), .admin), (.confirmed, .stockRejected, .outOfStock),
        ]
        for (status, input, reason) in cases {
            let order = Self.order(status).applying(input, at: Self.now).order
            #expect(order.cancellationReason == reason)
            #expect(order.history.last?.reason == reason.rawValue)
        }
    }

    @Test("a payment after a timeout keeps the order cancelled and asks for the money back, once")
    func latePayment() {
        let timedOut = Self.order(.awaitingPayment).applying(.paymentDeadlinePassed, at: Self.now).order
        let late = timedOut.applying(.paymentAuthorized(paymentId: "pay-9", amount: Self.euro(2_490)), at: Self.now, eventId: "e-9")
        #expect(late.order.status == .cancelled && late.order.cancellationReason == .timeout)
        #expect(late.announcements == [.cancelled(refundDue: true)])
        #expect(late.order.refundRequested && late.order.payment?.paymentId == "pay-9")
        let again = late.order.applying(.paymentAuthorized(paymentId: "pay-9", amount: Self.euro(2_490)), at: Self.now, eventId: "e-10")
        #expect(!again.changed && again.order == late.order)
    }

    @Test("a refund counts once per refund id, and a refunded order owes nothing more")
    func refunds() {
        let confirmed = Self.order(.confirmed)
        let refunded = confirmed.applying(.paymentRefunded(refundId: "rf-1", amount: Self.euro(490)), at: Self.now).order
        #expect(refunded.payment?.refunded == 490)
        #expect(!refunded.applying(.paymentRefunded(refundId: "rf-1", amount: Self.euro(490)), at: Self.now).changed)
        let rest = refunded.applying(.paymentRefunded(refundId: "rf-2", amount: Self.euro(2_000)), at: Self.now).order
        #expect(rest.payment?.outstanding == 0)
        #expect(rest.applying(.cancel(by: .admin), at: Self.now).announcements == [.cancelled(refundDue: false)])
    }

    @Test("a checkout that adds up becomes a pending order announcing order.placed")
    func validCheckout() {
        let (order, announcements) = Placement.order(from: Self.checkout(), rules: .standard, paymentTimeout: .seconds(600), at: Self.now, eventId: "e-0")
        #expect(order.status == .pending && announcements == [.placed])
        #expect(order.totals.total == Self.euro(2_490))  // 20.00 + 4.90 shipping below 50.00
        #expect(order.payBy == Self.now.addingTimeInterval(600))
        #expect(order.history == [HistoryEntry(status: .pending, at: Self.now, eventId: "e-0")])
    }

    @Test("a checkout whose totals or lines do not add up is cancelled at once with invalid_checkout, saying what is wrong")
    func invalidCheckouts() {
        let wrongLine = [OrderLine(productId: "p-1", sku: "SKU-1", name: "Lamp", quantity: 2, unitPrice: Self.euro(1_000), lineTotal: Self.euro(1_000))]
        let cases: [(CartCheckedOut, String)] = [
            (Self.checkout(total: 2_000), "total 2000 EUR should be 2490 EUR"),
            (Self.checkout(lines: []), "no lines"),
            (Self.checkout(lines: wrongLine), "Line SKU-1"),
        ]
        for (checkout, words) in cases {
            let (order, announcements) = Placement.order(from: checkout, rules: .standard, paymentTimeout: .seconds(600), at: Self.now, eventId: "e-0")
            #expect(order.status == .cancelled && order.cancellationReason == .invalidCheckout)
            #expect(announcements == [.cancelled(refundDue: false)])
            #expect(order.history.last?.detail?.contains(words) == true, "\(order.history.last?.detail ?? "")")
        }
    }
}
