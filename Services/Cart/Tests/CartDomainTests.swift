@testable import BazaarCart
import BazaarCommerce
import BazaarContracts
import Foundation
import Testing

@Suite("cart domain rules")
struct CartDomainTests {
    static func euros(_ cents: Int64) -> Money { Money(minorUnits: cents, currency: "EUR") }

    static func product(_ id: String, price: Int64?, active: Bool = true, deleted: Bool = false) -> ProjectedProduct {
        ProjectedProduct(version: 1, sku: "SKU-\(id)", name: "Product \"\(id)\"\n", imageUrl: price == nil ? nil : "https://img.test/\(id).jpg",
                         price: price.map(euros), active: active, deleted: deleted)
    }

    static let cart = StoredCart(id: "cart-1", revision: 4, lines: [
        (StoredLine(productId: "b", quantity: 2, priceWhenAdded: euros(1_000), addedAt: 20), product("b", price: 1_200)),
        (StoredLine(productId: "a", quantity: 1, priceWhenAdded: euros(500), addedAt: 10), product("a", price: 500)),
        (StoredLine(productId: "c", quantity: 3, priceWhenAdded: euros(700), addedAt: 30), product("c", price: 700, active: false)),
        (StoredLine(productId: "d", quantity: 1, priceWhenAdded: euros(900), addedAt: 40), product("d", price: nil, active: false, deleted: true)),
        (StoredLine(productId: "e", quantity: 1, priceWhenAdded: euros(100), addedAt: 50), nil),
    ])

    @Test("lines come in the order added, at current prices, flagged when they cannot be ordered; totals cover the orderable ones")
    func pricing() throws {
        let priced = try PricedCart(Self.cart, rules: .standard)
        #expect(priced.lines.map(\.productId) == ["a", "b", "c", "d", "e"])
        #expect(priced.lines.map(\.problem) == [nil, nil, .inactive, .deleted, .unknownProduct])
        #expect(priced.lines[1].priceChanged && priced.lines[1].unitPrice == Self.euros(1_200))
        #expect(priced.lines[3].unitPrice == Self.euros(900), "a product without a known price keeps the price when added")
        #expect(priced.quote.subtotal == Self.euros(2_900))
        #expect(priced.quote.shipping == Self.euros(490))
        #expect(priced.itemCount == 8)
        #expect(try PricedCart(nil, rules: .standard).quote.total == Self.euros(0))
    }

    @Test("the projection's encoded form round-trips whatever the texts hold and refuses anything else")
    func projectedProducts() {
        let products = [
            ProjectedProduct(version: 12, sku: "SKU|1", name: "Tee | \"Ünïcödé\" 👕|", imageUrl: "https://img.test/a|b.jpg", price: Self.euros(1_999),
                             active: true, deleted: false),
            ProjectedProduct(version: 3, sku: "GONE", name: "GONE", imageUrl: nil, price: nil, active: false, deleted: true),
            ProjectedProduct(version: 1, sku: "FREE", name: "Sample", imageUrl: nil, price: Self.euros(0), active: false, deleted: false),
        ]
        for product in products {
            #expect(ProductProjection.decode(ProductProjection.encode(product)) == product)
        }
        // What the deletion script writes for a product it never saw: no price, no image, the SKU as the name.
        #expect(ProductProjection.decode("4|0|1|||3|0|ABC")
                    == ProjectedProduct(version: 4, sku: "ABC", name: "ABC", imageUrl: nil, price: nil, active: false, deleted: true))
        for malformed in ["", "1|1|0|100|EUR|", "x|1|0|100|EUR|1|0|A", "1|1|0|100|EUR|9|0|A", "1|1|0|100|EUR|-1|0|A"] {
            #expect(ProductProjection.decode(malformed) == nil, "\(malformed)")
        }
    }

    @Test("the stored line form round-trips and refuses anything else")
    func storedLines() {
        let line = StoredLine(productId: "p", quantity: 7, priceWhenAdded: Self.euros(1_999), addedAt: 1_700_000_000_000)
        #expect(StoredLine(productId: "p", encoded: line.encoded) == line)
        for bad in ["", "7|1999|EUR", "x|1999|EUR|1", "7|1999|eur|1", "7|1999|EUR|1|9", "7||EUR|1", "|1999|EUR|1", "7|1999|EUR|", "7|1999||1"] {
            #expect(StoredLine(productId: "p", encoded: bad) == nil, "\(bad)")
        }
    }

    @Test("the cart JSON written by hand equals the Encodable form")
    func handWrittenJSON() throws {
        for dropped in [nil, 2] {
            let view = CartView(try PricedCart(Self.cart, rules: .standard), droppedLines: dropped)
            let written = try JSONSerialization.jsonObject(with: Data(view.jsonBytes())) as? NSDictionary
            let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(view)) as? NSDictionary
            #expect(written != nil)
            #expect(written == encoded)
        }
        let empty = CartView(try PricedCart(nil, rules: .standard))
        #expect(try JSONSerialization.jsonObject(with: Data(empty.jsonBytes())) as? NSDictionary
                    == JSONSerialization.jsonObject(with: JSONEncoder().encode(empty)) as? NSDictionary)
    }
}
