@testable import BazaarCatalog
import BazaarTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("catalog reads")
struct CatalogReadTests {
    static var activeProducts: [Product] { DemoCatalog.products.filter(\.active) }

    @Test("the product list pages through active products with correct totals; limit is capped at 100")
    func paging() async throws {
        try await CatalogHarness.run { catalog in
            #expect(catalog.undocumentedRoutes.isEmpty, "not in openapi.json: \(catalog.undocumentedRoutes)")
            let first = try await catalog.get("/api/catalog/products?page=1&limit=20")
            #expect(first["total"] as? Int == Self.activeProducts.count)
            #expect((first["items"] as? [[String: Any]])?.count == 20)
            #expect(first["page"] as? Int == 1 && first["limit"] as? Int == 20)
            let lastPage = (Self.activeProducts.count + 99) / 100
            let last = try await catalog.get("/api/catalog/products?page=\(lastPage)&limit=100")
            #expect((last["items"] as? [[String: Any]])?.count == Self.activeProducts.count - (lastPage - 1) * 100)
            let beyond = try await catalog.get("/api/catalog/products?page=\(lastPage + 1)&limit=100")
            #expect((beyond["items"] as? [[String: Any]])?.isEmpty == true)
            let items = first["items"] as? [[String: Any]] ?? []
            #expect(items.allSatisfy { $0["active"] as? Bool == true && $0["searchTokens"] == nil })
            for query in ["limit=101", "page=0", "sort=cheapest", "minPrice=-1", "featured=maybe", "minPrice=500&maxPrice=100"] {
                let response = try await catalog.send(.get, "/api/catalog/products?\(query)")
                #expect(response.status == .badRequest, "\(query)")
                #expect(response.headers[.contentType] == "application/problem+json")
            }
        }
    }

    @Test("filters: a top-level category includes its sub-categories; brand, price range and featured narrow the list")
    func filters() async throws {
        try await CatalogHarness.run { catalog in
            let tree = CategoryTree(DemoCatalog.categories)
            let top = try #require(tree.roots.first)
            let subtree = Set(tree.subtree(of: top.id))
            let expected = Self.activeProducts.filter { !subtree.isDisjoint(with: $0.categoryIds) }.count
            let byTop = try await catalog.get("/api/catalog/products?category=\(top.slug)&limit=100")
            #expect(byTop["total"] as? Int == expected)
            #expect(expected > 0)

            let brand = try #require(DemoCatalog.brands.first)
            let byBrand = try await catalog.get("/api/catalog/products?brand=\(brand.id)&limit=100")
            #expect(byBrand["total"] as? Int == Self.activeProducts.filter { $0.brand == brand.id }.count)

            let inRange = Self.activeProducts.filter { (1_000...5_000).contains($0.price.minorUnits) }.count
            let byPrice = try await catalog.get("/api/catalog/products?minPrice=1000&maxPrice=5000&limit=100")
            #expect(byPrice["total"] as? Int == inRange)

            let featured = try await catalog.get("/api/catalog/products?featured=true&limit=100")
            #expect(featured["total"] as? Int == Self.activeProducts.filter(\.featured).count)

            let unknown = try await catalog.get("/api/catalog/products?category=no-such-category")
            #expect(unknown["total"] as? Int == 0)
        }
    }

    @Test("sorting by price, -price, name and newest orders the whole list")
    func sorting() async throws {
        try await CatalogHarness.run { catalog in
            func prices(_ sort: String) async throws -> [Int] {
                let page = try await catalog.get("/api/catalog/products?sort=\(sort)&limit=100")
                return (page["items"] as? [[String: Any]] ?? []).compactMap { ($0["price"] as? [String: Any])?["minorUnits"] as? Int }
            }
            let ascending = try await prices("price")
            #expect(ascending == ascending.sorted())
            #expect(ascending.first.map(Int64.init) == Self.activeProducts.map(\.price.minorUnits).min())
            let descending = try await prices("-price")
            #expect(descending == descending.sorted(by: >))
            let names = (try await catalog.get("/api/catalog/products?sort=name&limit=100")["items"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(names == names.sorted())
            let newest = try await catalog.get("/api/catalog/products?sort=newest&limit=1")
            let newestID = (newest["items"] as? [[String: Any]])?.first?["id"] as? String
            #expect(newestID == Self.activeProducts.max { $0.createdAt < $1.createdAt }?.id)
        }
    }

    @Test("keyword search finds words and word beginnings in name, brand, SKU and description; every term must match")
    func search() async throws {
        try await CatalogHarness.run { catalog in
            let sample = try #require(Self.activeProducts.first { SearchText.words($0.name).contains { $0.count >= 5 } })
            let word = try #require(SearchText.words(sample.name).first { $0.count >= 5 })
            let expected = Self.activeProducts.filter { product in
                let brandName = DemoCatalog.brands.first { $0.id == product.brand }?.name
                return SearchText.tokens(for: product, brandName: brandName).contains(word)
            }
            let page = try await catalog.get("/api/catalog/products?q=\(word.uppercased())&limit=100")
            #expect(page["total"] as? Int == expected.count)
            let ids = (page["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(ids.contains(sample.id))
            let prefix = String(SearchText.words(sample.name).first { $0.count >= 5 }!.prefix(3))
            let withPrefix = Self.activeProducts.filter { product in
                let brandName = DemoCatalog.brands.first { $0.id == product.brand }?.name
                return SearchText.tokens(for: product, brandName: brandName).contains(prefix)
            }
            let byPrefix = try await catalog.get("/api/catalog/products?q=\(prefix)&limit=100")
            #expect(byPrefix["total"] as? Int == withPrefix.count)
            #expect(withPrefix.contains { $0.id == sample.id })
            let bySKU = try await catalog.get("/api/catalog/products?q=\(sample.sku)")
            #expect((bySKU["items"] as? [[String: Any]])?.first?["id"] as? String == sample.id)
            let nothing = try await catalog.get("/api/catalog/products?q=\(word)%20zzqqxx")
            #expect(nothing["total"] as? Int == 0)
            let injection = try await catalog.send(.get, "/api/catalog/products?q=%7B%22%24gt%22%3A%22%22%7D")
            #expect(injection.status == .ok)
        }
    }

    @Test("a product page by id or slug carries its brand and category path; unknown is 404")
    func detail() async throws {
        try await CatalogHarness.run { catalog in
            let product = try #require(Self.activeProducts.first { $0.brand != nil })
            let byID = try await catalog.get("/api/catalog/products/\(product.id)")
            let bySlug = try await catalog.get("/api/catalog/products/\(product.slug)")
            #expect((byID["product"] as? [String: Any])?["sku"] as? String == product.sku)
            #expect((bySlug["product"] as? [String: Any])?["id"] as? String == product.id)
            #expect((byID["brand"] as? [String: Any])?["id"] as? String == product.brand)
            let paths = try #require(byID["categoryPaths"] as? [[[String: Any]]])
            let tree = CategoryTree(DemoCatalog.categories)
            #expect(paths.first?.compactMap { $0["id"] as? String } == tree.path(to: product.categoryIds[0]).map(\.id))
            let missing = try await catalog.send(.get, "/api/catalog/products/no-such-product")
            #expect(missing.status == .notFound)
            #expect(missing.headers[.contentType] == "application/problem+json")
        }
    }

    @Test("the category tree has product counts including sub-categories; brands are listed")
    func categoriesAndBrands() async throws {
        try await CatalogHarness.run { catalog in
            let tree = try #require(try await catalog.get("/api/catalog/categories")["items"] as? [[String: Any]])
            let structure = CategoryTree(DemoCatalog.categories)
            #expect(tree.count == structure.roots.count)
            for root in tree {
                let id = try #require(root["id"] as? String)
                let subtree = Set(structure.subtree(of: id))
                #expect(root["productCount"] as? Int == Self.activeProducts.filter { !subtree.isDisjoint(with: $0.categoryIds) }.count)
                #expect((root["children"] as? [[String: Any]])?.isEmpty == false)
            }
            let brands = try #require(try await catalog.get("/api/catalog/brands")["items"] as? [[String: Any]])
            #expect(brands.count == DemoCatalog.brands.count)
        }
    }

    @Test("responses carry ETag and Cache-Control; If-None-Match gives 304")
    func conditionalRequests() async throws {
        try await CatalogHarness.run { catalog in
            for path in ["/api/catalog/products?limit=5", "/api/catalog/products/\(Self.activeProducts[0].slug)", "/api/catalog/categories", "/api/catalog/brands"] {
                let first = try await catalog.send(.get, path)
                #expect(first.status == .ok)
                let etag = try #require(first.headers[.eTag], "\(path)")
                #expect(first.headers[.cacheControl]?.contains("no-cache") == true)
                let again = try await catalog.send(.get, path, headers: [.ifNoneMatch: etag])
                #expect(again.status == .notModified, "\(path)")
                #expect(again.body.readableBytes == 0)
                let other = try await catalog.send(.get, path, headers: [.ifNoneMatch: "\"something-else\""])
                #expect(other.status == .ok)
            }
        }
    }
}
