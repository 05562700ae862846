public import Foundation

/// What catalog events say about a product: enough for carts and orders to price it without calling back.
public struct ProductSnapshot: Codable, Sendable, Hashable {
    public var productId: String
    public var sku: String
    public var slug: String
    public var name: String
    /// The product's first image, for carts and order lists; nil when it has none.
    public var imageUrl: String?
    public var brandId: String?
    public var categoryIds: [String]
    public var price: Money
    public var compareAtPrice: Money?
    public var active: Bool
    /// Increases with every change; consumers ignore a snapshot older than the one they hold.
    public var version: Int

    public init(productId: String, sku: String, slug: String, name: String, imageUrl: String? = nil, brandId: String?, categoryIds: [String],
                price: Money, compareAtPrice: Money?, active: Bool, version: Int) {
        self.productId = productId
        self.sku = sku
        self.slug = slug
        self.name = name
        self.imageUrl = imageUrl
        self.brandId = brandId
        self.categoryIds = categoryIds
        self.price = price
        self.compareAtPrice = compareAtPrice
        self.active = active
        self.version = version
    }

    static let example = ProductSnapshot(productId: "p-1001", sku: "CBL-NYM-3G15-50", slug: "nym-j-3x1-5-50m",
                                         name: "NYM-J 3×1.5 mm² installation cable, 50 m",
                                         imageUrl: "https://images.example.com/p-1001/front.jpg", brandId: "b-faber", categoryIds: ["c-cables"],
                                         price: Money(minorUnits: 4_990, currency: "EUR"), compareAtPrice: Money(minorUnits: 5_490, currency: "EUR"),
                                         active: true, version: 3)
}

public struct ProductCreated: EventPayload {
    public static let eventType = EventType(name: "bazaar.product.created.v1", topic: TopicCatalog.catalog, summary: "A product was added to the catalog.")
    public var product: ProductSnapshot
    public var occurredAt: Date

    public init(product: ProductSnapshot, occurredAt: Date) {
        self.product = product
        self.occurredAt = occurredAt
    }

    public var subject: String { product.productId }
    public static let example = ProductCreated(product: .example, occurredAt: Date(timeIntervalSince1970: 1_795_000_000))
}

public struct ProductUpdated: EventPayload {
    public static let eventType = EventType(name: "bazaar.product.updated.v1", topic: TopicCatalog.catalog,
                                            summary: "A product changed; carries the current price and state.")
    public var product: ProductSnapshot
    public var occurredAt: Date

    public init(product: ProductSnapshot, occurredAt: Date) {
        self.product = product
        self.occurredAt = occurredAt
    }

    public var subject: String { product.productId }
    public static let example = ProductUpdated(product: .example, occurredAt: Date(timeIntervalSince1970: 1_795_000_600))
}

public struct ProductDeleted: EventPayload {
    public static let eventType = EventType(name: "bazaar.product.deleted.v1", topic: TopicCatalog.catalog,
                                            summary: "A product was withdrawn from sale (soft delete).")
    public var productId: String
    public var sku: String
    public var version: Int
    public var occurredAt: Date

    public init(productId: String, sku: String, version: Int, occurredAt: Date) {
        self.productId = productId
        self.sku = sku
        self.version = version
        self.occurredAt = occurredAt
    }

    public var subject: String { productId }
    public static let example = ProductDeleted(productId: "p-1001", sku: "CBL-NYM-3G15-50", version: 4, occurredAt: Date(timeIntervalSince1970: 1_795_001_200))
}
