public import BazaarContracts

/// One line to price: a unit price (VAT included) and a quantity.
public struct PricedLine: Sendable, Hashable {
    public var unitPrice: Money
    public var quantity: Int

    public init(unitPrice: Money, quantity: Int) {
        self.unitPrice = unitPrice
        self.quantity = quantity
    }
}

/// What an order of some lines costs under ``PricingRules``.
public struct PriceQuote: Codable, Sendable, Hashable {
    /// The sum of the line totals (VAT included).
    public var subtotal: Money
    /// The shipping charge (VAT included): zero for an empty order or from the free-shipping threshold.
    public var shipping: Money
    /// What the customer pays: subtotal + shipping.
    public var total: Money
    /// The VAT contained in `total` (prices include VAT; shown, not added).
    public var vatIncluded: Money

    public init(subtotal: Money, shipping: Money, total: Money, vatIncluded: Money) {
        self.subtotal = subtotal
        self.shipping = shipping
        self.total = total
        self.vatIncluded = vatIncluded
    }
}

/// Why lines could not be priced.
public enum PricingError: Error, Equatable, Sendable {
    /// A line is in another currency than the shop's.
    case currencyMismatch(Currency)
    /// A quantity below 1.
    case invalidQuantity(Int)
    /// A sum or product beyond 64-bit minor units.
    case overflow
}

/// The shop's pricing, written once for the cart (what a shopper sees) and the order service
/// (which recomputes every checkout's totals and refuses one that does not add up):
///
/// - one currency for the shop (EUR);
/// - catalog prices include VAT; the VAT contained in a total is
///   `total × rate / (1 + rate)`, rounded half up to the minor unit (19%);
/// - shipping is a flat 4.90 per order, free from a subtotal of 50.00, nothing for an empty one.
public struct PricingRules: Sendable, Hashable {
    public var currency: Currency
    /// The VAT rate in basis points (1900 = 19%).
    public var vatRateBasisPoints: Int64
    public var flatShipping: Money
    /// Orders whose subtotal reaches this ship free.
    public var freeShippingThreshold: Money

    public init(currency: Currency, vatRateBasisPoints: Int64, flatShipping: Money, freeShippingThreshold: Money) {
        precondition(flatShipping.currency == currency && freeShippingThreshold.currency == currency, "pricing rules in one currency")
        precondition((0...10_000).contains(vatRateBasisPoints), "VAT rate from 0% to 100%")
        self.currency = currency
        self.vatRateBasisPoints = vatRateBasisPoints
        self.flatShipping = flatShipping
        self.freeShippingThreshold = freeShippingThreshold
    }

    /// Bazaar's rules: EUR, 19% VAT included, 4.90 shipping, free from 50.00.
    public static let standard = PricingRules(currency: "EUR", vatRateBasisPoints: 1_900,
                                              flatShipping: Money(minorUnits: 490, currency: "EUR"),
                                              freeShippingThreshold: Money(minorUnits: 5_000, currency: "EUR"))

    /// The line total `unitPrice × quantity`.
    public func lineTotal(_ line: PricedLine) throws(PricingError) -> Money {
        guard line.unitPrice.currency == currency else { throw .currencyMismatch(line.unitPrice.currency) }
        guard line.quantity >= 1 else { throw .invalidQuantity(line.quantity) }
        guard let total = line.unitPrice.multiplied(by: line.quantity) else { throw .overflow }
        return total
    }

    /// Subtotal, shipping, total and contained VAT of `lines`.
    public func quote(_ lines: [PricedLine]) throws(PricingError) -> PriceQuote {
        var subtotal = Money.zero(currency)
        for line in lines {
            guard let sum = subtotal.adding(try lineTotal(line)) else { throw .overflow }
            subtotal = sum
        }
        let shipping = lines.isEmpty || subtotal.minorUnits >= freeShippingThreshold.minorUnits ? Money.zero(currency) : flatShipping
        guard let total = subtotal.adding(shipping) else { throw .overflow }
        return PriceQuote(subtotal: subtotal, shipping: shipping, total: total, vatIncluded: try vatContained(in: total))
    }

    /// The VAT inside a gross amount, rounded half up: `gross × r / (10000 + r)` in basis points.
    public func vatContained(in gross: Money) throws(PricingError) -> Money {
        let divisor = 10_000 + vatRateBasisPoints
        let (scaled, overflow) = gross.minorUnits.multipliedReportingOverflow(by: vatRateBasisPoints * 2)
        guard !overflow, gross.minorUnits >= 0 else { throw .overflow }
        return Money(minorUnits: (scaled + divisor) / (2 * divisor), currency: currency)
    }
}
