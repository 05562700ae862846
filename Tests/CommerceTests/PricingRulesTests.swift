import BazaarCommerce
import BazaarContracts
import BazaarCore
import Testing

@Suite("pricing rules")
struct PricingRulesTests {
    let rules = PricingRules.standard

    func euros(_ cents: Int64) -> Money { Money(minorUnits: cents, currency: "EUR") }

    @Test("an empty order costs nothing, not even shipping")
    func empty() throws {
        let quote = try rules.quote([])
        #expect(quote == PriceQuote(subtotal: euros(0), shipping: euros(0), total: euros(0), vatIncluded: euros(0)))
    }

    @Test("below the threshold shipping is flat; the VAT shown is the part of the total it contains")
    func flatShipping() throws {
        let quote = try rules.quote([PricedLine(unitPrice: euros(1_999), quantity: 2)])
        #expect(quote.subtotal == euros(3_998))
        #expect(quote.shipping == euros(490))
        #expect(quote.total == euros(4_488))
        // 44.88 × 19 / 119 = 7.1657… → 7.17
        #expect(quote.vatIncluded == euros(717))
    }

    @Test("from the threshold shipping is free (at exactly 50.00 too)", arguments: [Int64(5_000), 5_001, 123_456])
    func freeShipping(subtotal: Int64) throws {
        let quote = try rules.quote([PricedLine(unitPrice: euros(subtotal), quantity: 1)])
        #expect(quote.shipping == euros(0))
        #expect(quote.total == euros(subtotal))
    }

    @Test("VAT rounds half up to the cent", arguments: [(Int64(119), Int64(19)), (0, 0), (1, 0), (3, 0), (4, 1), (10_000, 1_597)])
    func vatRounding(gross: Int64, vat: Int64) throws {
        #expect(try rules.vatContained(in: euros(gross)) == euros(vat))
    }

    @Test("lines in another currency, quantities below one and overflow are refused")
    func refusals() throws {
        #expect(throws: PricingError.currencyMismatch("USD")) { try rules.quote([PricedLine(unitPrice: Money(minorUnits: 100, currency: "USD"), quantity: 1)]) }
        #expect(throws: PricingError.invalidQuantity(0)) { try rules.quote([PricedLine(unitPrice: euros(100), quantity: 0)]) }
        #expect(throws: PricingError.overflow) { try rules.quote([PricedLine(unitPrice: euros(.max / 2), quantity: 3)]) }
    }

    @Test("addresses are normalised and checked field by field, with the caller's field prefix")
    func addresses() throws {
        var validation = Validation()
        let address = PostalAddress.validated(PostalAddressInput(name: " Ada ", line1: "1 Road", line2: "  ", city: "Berlin", postalCode: "10115",
                                                                 country: "de", phone: "+49 (30) 123-4567"), into: &validation)
        #expect(validation.errors.isEmpty)
        #expect(address == PostalAddress(name: "Ada", line1: "1 Road", city: "Berlin", postalCode: "10115", country: "DE", phone: "+49 (30) 123-4567"))
        var refused = Validation()
        #expect(PostalAddress.validated(PostalAddressInput(name: "A", line1: nil, city: "B", postalCode: "1$", country: "ZZ"),
                                        fieldPrefix: "shippingAddress.", into: &refused) == nil)
        #expect(refused.errors.map(\.field) == ["shippingAddress.line1", "shippingAddress.postalCode", "shippingAddress.country"])
        #expect(Countries.codes.count == 249)
    }
}
