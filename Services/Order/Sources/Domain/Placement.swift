import BazaarCommerce
import BazaarContracts
import Foundation

/// Turns a checkout into an order. The order recomputes the checkout's totals with the shared
/// pricing rules; a checkout whose lines or totals do not add up still becomes an order (the
/// shopper was told one exists), cancelled at once with `invalid_checkout` and the difference in
/// words, so nothing is reserved or charged.
enum Placement {
    /// The new order and what to announce: `order.placed`, or `order.cancelled` for an invalid checkout.
    static func order(from checkout: CartCheckedOut, rules: PricingRules, paymentTimeout: Duration, at time: Date,
                      eventId: String?) -> (order: Order, announcements: [Announcement]) {
        let problem = Self.problem(with: checkout, rules: rules)
        var order = Order(
            id: checkout.orderId, userId: checkout.userId, email: checkout.email, cartId: checkout.cartId, checkoutId: checkout.checkoutId,
            lines: checkout.lines,
            totals: PriceQuote(subtotal: checkout.subtotal, shipping: checkout.shippingCost, total: checkout.total, vatIncluded: checkout.vatIncluded),
            shippingAddress: checkout.shippingAddress, paymentMethod: checkout.paymentMethod, placedAt: time,
            payBy: time.addingTimeInterval(Double(paymentTimeout.components.seconds)), status: .pending,
            history: [HistoryEntry(status: .pending, at: time, eventId: eventId)], updatedAt: time, version: 1)
        guard let problem else { return (order, [.placed]) }
        order.status = .cancelled
        order.cancellationReason = .invalidCheckout
        order.history.append(HistoryEntry(status: .cancelled, reason: CancellationReason.invalidCheckout.rawValue, detail: problem, at: time, eventId: eventId))
        return (order, [.cancelled(refundDue: false)])
    }

    /// What is wrong with `checkout`'s lines or totals under `rules`, or nil when they add up.
    static func problem(with checkout: CartCheckedOut, rules: PricingRules) -> String? {
        guard !checkout.lines.isEmpty else { return "The checkout has no lines." }
        guard !checkout.paymentMethod.isEmpty else { return "The checkout names no payment method." }
        for line in checkout.lines {
            let expected: Money
            do {
                expected = try rules.lineTotal(PricedLine(unitPrice: line.unitPrice, quantity: line.quantity))
            } catch {
                return "Line \(line.sku): \(describe(error))."
            }
            guard expected == line.lineTotal else {
                return "Line \(line.sku): \(line.quantity) × \(line.unitPrice.minorUnits) is \(expected.minorUnits), not \(line.lineTotal.minorUnits)."
            }
        }
        let quote: PriceQuote
        do {
            quote = try rules.quote(checkout.lines.map { PricedLine(unitPrice: $0.unitPrice, quantity: $0.quantity) })
        } catch {
            return "The lines cannot be priced: \(describe(error))."
        }
        let claimed = [("subtotal", checkout.subtotal, quote.subtotal), ("shipping", checkout.shippingCost, quote.shipping),
                       ("VAT", checkout.vatIncluded, quote.vatIncluded), ("total", checkout.total, quote.total)]
        let wrong = claimed.filter { $0.1 != $0.2 }.map { "\($0.0) \($0.1.minorUnits) \($0.1.currency.code) should be \($0.2.minorUnits) \($0.2.currency.code)" }
        return wrong.isEmpty ? nil : "The totals do not add up: " + wrong.joined(separator: ", ") + "."
    }

    private static func describe(_ error: PricingError) -> String {
        switch error {
        case .currencyMismatch(let currency): "priced in \(currency.code), the shop sells in another currency"
        case .invalidQuantity(let quantity): "quantity \(quantity) is below 1"
        case .overflow: "the amount is too large"
        }
    }
}
