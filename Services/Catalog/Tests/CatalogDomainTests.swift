@testable import BazaarCatalog
import Foundation
import Testing

@Suite("catalog domain")
struct CatalogDomainTests {
    @Test("the demo catalog: 15+ brands, 12+ categories in two levels, 200+ products with unique SKUs and slugs")
    func demoCatalog() {
        #expect(DemoCatalog.brands.count >= 15)
        #expect(DemoCatalog.categories.count >= 12)
        let tree = CategoryTree(DemoCatalog.categories)
        #expect(tree.roots.count >= 2)
        #expect(DemoCatalog.categories.allSatisfy { category in tree.path(to: category.id).count <= 2 })
        #expect(DemoCatalog.products.count >= 200)
        #expect(Set(DemoCatalog.products.map(\.sku)).count == DemoCatalog.products.count)
        #expect(Set(DemoCatalog.products.map(\.slug)).count == DemoCatalog.products.count)
        #expect(Set(DemoCatalog.products.map(\.id)).count == DemoCatalog.products.count)
        let brandIDs = Set(DemoCatalog.brands.map(\.id)), categoryIDs = Set(DemoCatalog.categories.map(\.id))
        for product in DemoCatalog.products {
            #expect(product.brand.map(brandIDs.contains) ?? true, "\(product.sku)")
            #expect(product.categoryIds.allSatisfy(categoryIDs.contains), "\(product.sku)")
            #expect((try? ProductDraft(product).validate()) != nil, "\(product.sku) breaks the product rules")
        }
    }

    @Test("search text folds case, accents and symbols, and indexes word beginnings")
    func searchText() {
        #expect(SearchText.words("NYM-J 3×1,5 mm² Kabel, Ø 10 mm") == ["nym", "j", "3", "x", "1", "5", "mm2", "kabel", "o", "10", "mm"])
        let tokens = SearchText.tokens(words: ["white plastic"], prefixesOf: ["Cable"])
        #expect(tokens.contains("ca") && tokens.contains("cab") && tokens.contains("cable") && tokens.contains("white"))
        #expect(!tokens.contains("wh"))
        #expect(Slug.make(from: "LED panel 60×60 cm, 40 W") == "led-panel-60-x-60-cm-40-w")
        #expect(Slug.isValid("a-b-1") && !Slug.isValid("A-b") && !Slug.isValid("a--b") && !Slug.isValid("-a"))
    }

    @Test("product rules: compare-at price above the price in the same currency; safe attribute keys; image URLs")
    func productRules() throws {
        var draft = ProductDraft()
        draft.sku = "ABC-1"
        draft.slug = "abc-1"
        draft.name = "Abc"
        draft.categoryIds = ["c-1"]
        draft.price = .init(minorUnits: 1_000, currency: "EUR")
        try draft.validate()
        draft.compareAtPrice = .init(minorUnits: 900, currency: "EUR")
        #expect(throws: (any Error).self) { try draft.validate() }
        draft.compareAtPrice = nil
        draft.attributes = ["$where": "1"]
        #expect(throws: (any Error).self) { try draft.validate() }
        draft.attributes = [:]
        draft.images = [ProductImage(url: "javascript:alert(1)", alt: "x")]
        #expect(throws: (any Error).self) { try draft.validate() }
    }

    @Test("the category tree finds subtrees and paths and refuses cycles")
    func categoryTree() {
        let tree = CategoryTree([
            Category(id: "a", slug: "a", name: "A", parentId: nil, position: 0),
            Category(id: "b", slug: "b", name: "B", parentId: "a", position: 1),
            Category(id: "c", slug: "c", name: "C", parentId: "a", position: 0),
            Category(id: "d", slug: "d", name: "D", parentId: "c", position: 0),
        ])
        #expect(Set(tree.subtree(of: "a")) == ["a", "b", "c", "d"])
        #expect(tree.path(to: "d").map(\.id) == ["a", "c", "d"])
        #expect(tree.children(of: "a").map(\.id) == ["c", "b"])
        #expect(tree.wouldCycle(id: "a", parent: "d"))
        #expect(!tree.wouldCycle(id: "d", parent: "b"))
    }

    @Test("a merge patch tells an absent member from null: null clears brand and compare-at price")
    func mergePatch() throws {
        let decoder = JSONDecoder()
        let cleared = try decoder.decode(ProductFields.self, from: Data(#"{"brand": null, "compareAtPrice": null}"#.utf8))
        var draft = ProductDraft()
        draft.brand = "b-1"
        draft.compareAtPrice = .init(minorUnits: 2_000, currency: "EUR")
        var patched = draft
        patched.apply(cleared)
        #expect(patched.brand == nil && patched.compareAtPrice == nil)
        let untouched = try decoder.decode(ProductFields.self, from: Data(#"{"name": "New"}"#.utf8))
        patched = draft
        patched.apply(untouched)
        #expect(patched.brand == "b-1" && patched.compareAtPrice != nil && patched.name == "New")
        let category = try decoder.decode(AdminRoutes.CategoryFields.self, from: Data(#"{"parentId": null}"#.utf8))
        #expect(try AdminRoutes.category(id: "c-1", from: category, existing: Category(id: "c-1", slug: "a", name: "A", parentId: "c-0", position: 0)).parentId == nil)
    }
}
