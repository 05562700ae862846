import BazaarContracts
import Foundation

/// A product as the catalog stores it (one MongoDB document) and as the API shows it.
struct Product: Codable, Sendable, Equatable {
    /// `_id` in MongoDB; `id` in JSON.
    var id: String
    /// Stock-keeping unit, unique, upper case: `CBL-NYM-3G15-50`.
    var sku: String
    /// URL name, unique, lower case: `nym-j-3x1-5-50m`.
    var slug: String
    var name: String
    var description: String
    /// The brand's id.
    var brand: String?
    var categoryIds: [String]
    var price: Money
    /// The former price, shown struck through; above `price` when present.
    var compareAtPrice: Money?
    var images: [ProductImage]
    /// Technical properties as text: `voltage: 230 V`, `colour: white`.
    var attributes: [String: String]
    var active: Bool
    var featured: Bool
    var createdAt: Date
    var updatedAt: Date
    /// Starts at 1 and increases with every change (the `ETag` and `If-Match` value).
    var version: Int
    /// Normalised words and word beginnings of the name, brand, SKU and description, indexed for
    /// keyword search (the MongoDB-wire server has no `$text`); not shown in the API.
    var searchTokens: [String] = []

    enum CodingKeys: String, CodingKey {
        case id = "_id", sku, slug, name, description, brand, categoryIds, price, compareAtPrice, images, attributes, active, featured
        case createdAt, updatedAt, version, searchTokens
    }
}

struct ProductImage: Codable, Sendable, Equatable {
    var url: String
    var alt: String
}

/// A node of the category tree (two levels in the demo data; any depth is allowed).
struct Category: Codable, Sendable, Equatable {
    var id: String
    var slug: String
    var name: String
    var parentId: String?
    /// Order among siblings.
    var position: Int

    enum CodingKeys: String, CodingKey {
        case id = "_id", slug, name, parentId, position
    }
}

struct Brand: Codable, Sendable, Equatable {
    var id: String
    var slug: String
    var name: String

    enum CodingKeys: String, CodingKey {
        case id = "_id", slug, name
    }
}
