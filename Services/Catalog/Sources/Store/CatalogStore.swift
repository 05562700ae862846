import BazaarContracts
import BazaarCore
import BazaarMessaging
import BazaarMongo
import BazaarMongoMessaging
import Foundation

/// The catalog's MongoDB collections and the queries the routes need. Every write is one
/// transaction that also appends its event to the outbox.
struct CatalogStore: Sendable {
    let mongo: MongoClient
    let products: MongoCollection<Product>
    let categories: MongoCollection<Category>
    let brands: MongoCollection<Brand>
    /// Builds and appends every event the catalog publishes (see ``CatalogEvents``).
    let events: CatalogEvents
    let search: any ProductSearch

    init(mongo: MongoClient, events: CatalogEvents, search: any ProductSearch) {
        self.mongo = mongo
        self.products = mongo.database.collection("products", of: Product.self)
        self.categories = mongo.database.collection("categories", of: Category.self)
        self.brands = mongo.database.collection("brands", of: Brand.self)
        self.events = events
        self.search = search
    }

    /// Creates every index the catalog's queries use; safe to run at every start.
    func createIndexes() async throws {
        try await products.createIndexes([
            MongoIndex(["sku": 1], name: "sku", unique: true),
            MongoIndex(["slug": 1], name: "slug", unique: true),
            MongoIndex(["active": 1, "categoryIds": 1, "createdAt": -1], name: "active_category_newest"),
            MongoIndex(["active": 1, "brand": 1], name: "active_brand"),
            MongoIndex(["active": 1, "price.minorUnits": 1], name: "active_price"),
            MongoIndex(["active": 1, "featured": 1], name: "active_featured"),
            MongoIndex(["createdAt": -1], name: "created"),
        ] + search.indexes)
        try await categories.createIndexes([MongoIndex(["slug": 1], name: "slug", unique: true), MongoIndex(["parentId": 1], name: "parent")])
        try await brands.createIndexes([MongoIndex(["slug": 1], name: "slug", unique: true)])
    }

    // MARK: Reads

    func product(idOrSlug: String) async throws -> Product? {
        try await products.findOne(["$or": [["_id": .string(idOrSlug)], ["slug": .string(idOrSlug)]]])
    }

    func allCategories() async throws -> [Category] {
        try await categories.find([:], sort: ["position": 1, "_id": 1])
    }

    func allBrands() async throws -> [Brand] {
        try await brands.find([:], sort: ["name": 1, "_id": 1])
    }

    /// One page of active products matching `query`, and how many match in all. Categories and
    /// brands are read only when the query needs them (a plain page is two queries: count, find).
    func list(_ query: ProductQuery) async throws -> (items: [Product], total: Int) {
        var filter: BSONDocument = ["active": true]
        if let category = query.category {
            let categoryTree = CategoryTree(try await allCategories())
            guard let node = categoryTree.category(idOrSlug: category) else { return ([], 0) }
            filter["categoryIds"] = ["$in": .array(categoryTree.subtree(of: node.id).map { .string($0) })]
        }
        if let brand = query.brand {
            guard let match = try await brands.findOne(["$or": [["_id": .string(brand)], ["slug": .string(brand)]]]) else { return ([], 0) }
            filter["brand"] = .string(match.id)
        }
        var price = BSONDocument()
        if let minPrice = query.minPrice { price["$gte"] = .int64(minPrice) }
        if let maxPrice = query.maxPrice { price["$lte"] = .int64(maxPrice) }
        if !price.isEmpty { filter["price.minorUnits"] = .document(price) }
        if let featured = query.featured { filter["featured"] = .bool(featured) }
        if !query.terms.isEmpty {
            for (key, value) in search.condition(for: query.terms) { filter[key] = value }
        }
        let total = try await products.count(filter)
        switch query.sort {
        case .relevance where !query.terms.isEmpty:
            // Ranking happens here, over the matches (keyword results are a small set; capped).
            let matches = try await products.find(filter, limit: 1_000)
            let brandNames = Dictionary(try await allBrands().map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
            let ranked = Relevance.sorted(matches, terms: query.terms, brandNames: brandNames)
            return (Array(ranked.dropFirst(query.page.offset).prefix(query.page.limit)), total)
        default:
            let items = try await products.find(filter, sort: Self.sortDocument(query.sort), skip: query.page.offset, limit: query.page.limit)
            return (items, total)
        }
    }

    static func sortDocument(_ sort: ProductSort) -> BSONDocument {
        switch sort {
        case .price: ["price.minorUnits": 1, "_id": 1]
        case .priceDescending: ["price.minorUnits": -1, "_id": 1]
        case .name: ["name": 1, "_id": 1]
        case .newest: ["createdAt": -1, "_id": 1]
        case .relevance: ["featured": -1, "createdAt": -1, "_id": 1]
        }
    }

    /// How many active products each category holds, sub-categories included.
    func productCounts(categoryTree: CategoryTree) async throws -> [String: Int] {
        struct Membership: Decodable, Sendable {
            var categoryIds: [String]
        }
        let memberships = try await products.find(["active": true], projection: ["categoryIds": 1], as: Membership.self)
        var counts: [String: Int] = [:]
        for membership in memberships {
            var ancestors: Set<String> = []
            for id in membership.categoryIds { ancestors.formUnion(categoryTree.path(to: id).map(\.id)) }
            for id in ancestors { counts[id, default: 0] += 1 }
        }
        return counts
    }
}
