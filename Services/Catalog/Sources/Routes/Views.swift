import BazaarContracts
import Foundation

/// A product as the API shows it (the stored document without its search tokens).
struct ProductView: Encodable, Sendable {
    var id: String
    var sku: String
    var slug: String
    var name: String
    var description: String
    var brand: String?
    var categoryIds: [String]
    var price: Money
    var compareAtPrice: Money?
    var images: [ProductImage]
    var attributes: [String: String]
    var active: Bool
    var featured: Bool
    var createdAt: Date
    var updatedAt: Date
    var version: Int

    init(_ product: Product) {
        id = product.id
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
        createdAt = product.createdAt
        updatedAt = product.updatedAt
        version = product.version
    }
}

/// The product page: the product, its brand, and the path from the top category down to each of its categories.
struct ProductDetailView: Encodable, Sendable {
    var product: ProductView
    var brand: BrandView?
    var categoryPaths: [[CategoryView]]
}

struct CategoryView: Encodable, Sendable {
    var id: String
    var slug: String
    var name: String
    var parentId: String?
    var position: Int

    init(_ category: Category) {
        id = category.id
        slug = category.slug
        name = category.name
        parentId = category.parentId
        position = category.position
    }
}

/// A node of `GET /api/catalog/categories`: the category, how many active products it holds
/// (its sub-categories' included) and its children.
struct CategoryNodeView: Encodable, Sendable {
    var id: String
    var slug: String
    var name: String
    var position: Int
    var productCount: Int
    var children: [CategoryNodeView]

    static func tree(_ tree: CategoryTree, counts: [String: Int]) -> [CategoryNodeView] {
        func node(_ category: Category) -> CategoryNodeView {
            CategoryNodeView(id: category.id, slug: category.slug, name: category.name, position: category.position,
                             productCount: counts[category.id] ?? 0, children: tree.children(of: category.id).map(node))
        }
        return tree.roots.map(node)
    }
}

struct BrandView: Encodable, Sendable {
    var id: String
    var slug: String
    var name: String

    init(_ brand: Brand) {
        id = brand.id
        slug = brand.slug
        name = brand.name
    }
}

struct ProductPage: Encodable, Sendable {
    var items: [ProductView]
    var total: Int
    var page: Int
    var limit: Int
}

struct ItemList<Item: Encodable & Sendable>: Encodable, Sendable {
    var items: [Item]
}
