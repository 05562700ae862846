/// A postal address as orders and emails need it.
public struct PostalAddress: Codable, Sendable, Hashable {
    public var name: String
    public var line1: String
    public var line2: String?
    public var city: String
    public var postalCode: String
    /// ISO 3166-1 alpha-2, e.g. `DE`.
    public var country: String
    public var phone: String?

    public init(name: String, line1: String, line2: String? = nil, city: String, postalCode: String, country: String, phone: String? = nil) {
        self.name = name
        self.line1 = line1
        self.line2 = line2
        self.city = city
        self.postalCode = postalCode
        self.country = country
        self.phone = phone
    }

    static let example = PostalAddress(name: "Ada Lovelace", line1: "12 Market Street", city: "London", postalCode: "EC1A 1BB", country: "GB", phone: "+44 20 7946 0000")
}

/// One line of a cart or order: what was bought, how many, at which unit price.
public struct OrderLine: Codable, Sendable, Hashable {
    public var productId: String
    public var sku: String
    public var name: String
    public var quantity: Int
    public var unitPrice: Money
    /// `unitPrice × quantity`.
    public var lineTotal: Money

    public init(productId: String, sku: String, name: String, quantity: Int, unitPrice: Money, lineTotal: Money) {
        self.productId = productId
        self.sku = sku
        self.name = name
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.lineTotal = lineTotal
    }

    static let examples = [
        OrderLine(productId: "p-1001", sku: "CBL-NYM-3G15-50", name: "NYM-J 3×1.5 mm² installation cable, 50 m", quantity: 2,
                  unitPrice: Money(minorUnits: 4_990, currency: "EUR"), lineTotal: Money(minorUnits: 9_980, currency: "EUR")),
        OrderLine(productId: "p-2040", sku: "SW-RCD-40A-30", name: "RCD 40 A 30 mA, 4-pole", quantity: 1,
                  unitPrice: Money(minorUnits: 3_450, currency: "EUR"), lineTotal: Money(minorUnits: 3_450, currency: "EUR")),
    ]
}

/// A quantity of one SKU, as inventory reserves and releases it.
public struct StockLine: Codable, Sendable, Hashable {
    public var sku: String
    public var quantity: Int

    public init(sku: String, quantity: Int) {
        self.sku = sku
        self.quantity = quantity
    }
}
