import BazaarContracts
import BazaarCore
import Foundation

/// The fields of a product a client may set. In `POST`/`PUT` bodies absent optional fields take
/// their defaults; in `PATCH` bodies (JSON merge patch) only present fields change, and `null`
/// clears `brand` or `compareAtPrice`; any other field sent as `null` is a 400 (the document
/// never allows it).
struct ProductFields: Decodable, Sendable {
    var sku: String?
    var slug: String?
    var name: String?
    var description: String?
    var brand: Patch<String>?
    var categoryIds: [String]?
    var price: Money?
    var compareAtPrice: Patch<Money>?
    var images: [ProductImage]?
    var attributes: [String: String]?
    var active: Bool?
    var featured: Bool?

    enum CodingKeys: String, CodingKey {
        case sku, slug, name, description, brand, categoryIds, price, compareAtPrice, images, attributes, active, featured
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sku = try container.decodeIfPresentRefusingNull(String.self, forKey: .sku)
        slug = try container.decodeIfPresentRefusingNull(String.self, forKey: .slug)
        name = try container.decodeIfPresentRefusingNull(String.self, forKey: .name)
        description = try container.decodeIfPresentRefusingNull(String.self, forKey: .description)
        brand = try Patch.decode(from: container, forKey: .brand)
        categoryIds = try container.decodeIfPresentRefusingNull([String].self, forKey: .categoryIds)
        price = try container.decodeIfPresentRefusingNull(Money.self, forKey: .price)
        compareAtPrice = try Patch.decode(from: container, forKey: .compareAtPrice)
        images = try container.decodeIfPresentRefusingNull([ProductImage].self, forKey: .images)
        attributes = try container.decodeIfPresentRefusingNull([String: String].self, forKey: .attributes)
        active = try container.decodeIfPresentRefusingNull(Bool.self, forKey: .active)
        featured = try container.decodeIfPresentRefusingNull(Bool.self, forKey: .featured)
    }
}

/// A merge-patch member: absent (the property is nil), `null` (`.clear`) or a value.
enum Patch<Value: Decodable & Sendable>: Decodable, Sendable {
    case clear
    case set(Value)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = container.decodeNil() ? .clear : .set(try container.decode(Value.self))
    }

    var value: Value? {
        if case .set(let value) = self { return value }
        return nil
    }

    /// The member `key`: nil when absent, `.clear` for `null` (synthesized decoding would turn
    /// `null` into "absent", so optional patch members are decoded with this).
    static func decode<Key: CodingKey>(from container: KeyedDecodingContainer<Key>, forKey key: Key) throws -> Patch? {
        guard container.contains(key) else { return nil }
        return try container.decodeNil(forKey: key) ? .clear : .set(try container.decode(Value.self, forKey: key))
    }
}

/// What a product is made of, before the store adds its identity, dates and version.
struct ProductDraft: Sendable, Equatable {
    var sku = ""
    var slug = ""
    var name = ""
    var description = ""
    var brand: String?
    var categoryIds: [String] = []
    var price = Money(minorUnits: 0, currency: "EUR")
    var compareAtPrice: Money?
    var images: [ProductImage] = []
    var attributes: [String: String] = [:]
    var active = true
    var featured = false

    init() {}

    init(_ product: Product) {
        sku = product.sku
        slug = product.slug
        name = product.name
        description = product.description
        brand = product.brand
        categoryIds = product.categoryIds
        price = product.price
        compareAtPrice = product.compareAtPrice
        images = product.images
        attributes = product.attributes
        active = product.active
        featured = product.featured
    }

    /// A draft for `POST`/`PUT`: required fields must be present; the slug defaults to one made
    /// from the name.
    static func complete(_ fields: ProductFields) throws -> ProductDraft {
        var validation = Validation()
        validation.require(fields.sku != nil, "sku", "is required")
        validation.require(fields.name != nil, "name", "is required")
        validation.require(fields.price != nil, "price", "is required")
        validation.require(fields.categoryIds != nil, "categoryIds", "is required")
        try validation.check()
        var draft = ProductDraft()
        draft.apply(fields)
        if fields.slug == nil { draft.slug = Slug.make(from: draft.name) }
        try draft.validate()
        return draft
    }

    /// Applies the present members of `fields` (merge patch).
    mutating func apply(_ fields: ProductFields) {
        if let sku = fields.sku { self.sku = sku.trimmingCharacters(in: .whitespaces).uppercased() }
        if let slug = fields.slug { self.slug = slug.trimmingCharacters(in: .whitespaces) }
        if let name = fields.name { self.name = name.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let description = fields.description { self.description = description.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let brand = fields.brand { self.brand = brand.value }
        if let categoryIds = fields.categoryIds { self.categoryIds = categoryIds }
        if let price = fields.price { self.price = price }
        if let compareAtPrice = fields.compareAtPrice { self.compareAtPrice = compareAtPrice.value }
        if let images = fields.images { self.images = images }
        if let attributes = fields.attributes { self.attributes = attributes }
        if let active = fields.active { self.active = active }
        if let featured = fields.featured { self.featured = featured }
    }

    /// Every rule a product must satisfy; throws one 400 naming each field at fault.
    func validate() throws {
        var validation = Validation()
        validation.require(!sku.isEmpty && sku.count <= 64 && sku.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "." || $0 == "_" },
                           "sku", "must be 1 to 64 characters of A–Z, 0–9, '-', '.' or '_'")
        validation.require(Slug.isValid(slug), "slug", "must be 1 to 120 characters of a–z, 0–9 and single hyphens")
        validation.text(name, "name", maxLength: 200)
        validation.require(description.count <= 5_000, "description", "must be at most 5000 characters")
        validation.require(!Validation.containsControlCharacters(description.replacingOccurrences(of: "\n", with: "")), "description",
                           "must not contain control characters other than line breaks")
        validation.require(!categoryIds.isEmpty && categoryIds.count <= 10 && Set(categoryIds).count == categoryIds.count, "categoryIds",
                           "must name 1 to 10 different categories")
        validation.require(price.minorUnits > 0 && price.minorUnits <= 100_000_000_00, "price.minorUnits", "must be a positive amount in minor units")
        if let compareAtPrice {
            validation.require(compareAtPrice.currency == price.currency, "compareAtPrice.currency", "must be the currency of price")
            validation.require(compareAtPrice.minorUnits > price.minorUnits, "compareAtPrice.minorUnits", "must be more than the price")
        }
        validation.require(images.count <= 20, "images", "at most 20 images")
        for (index, image) in images.enumerated() {
            validation.require(Self.isImageURL(image.url), "images[\(index)].url", "must be an https URL or a path starting with /")
            validation.text(image.alt, "images[\(index)].alt", required: false, maxLength: 200)
        }
        validation.require(attributes.count <= 50, "attributes", "at most 50 attributes")
        for (key, value) in attributes.sorted(by: { $0.key < $1.key }) {
            validation.require(!key.isEmpty && key.count <= 64 && !key.hasPrefix("$") && !key.contains(".") && !Validation.containsControlCharacters(key),
                               "attributes", "keys must be 1 to 64 characters without '.', a leading '$' or control characters (\(key.prefix(64)))")
            validation.text(value, "attributes.\(key.prefix(64))", maxLength: 200)
        }
        try validation.check()
    }

    static func isImageURL(_ text: String) -> Bool {
        guard text.count <= 500, !Validation.containsControlCharacters(text), !text.contains(" ") else { return false }
        if text.hasPrefix("/") && !text.hasPrefix("//") { return true }
        guard let url = URL(string: text), url.scheme == "https", url.host?.isEmpty == false else { return false }
        return true
    }
}
