import BazaarCore
import Foundation
import Hummingbird
import HummingbirdCore

/// How a product list is ordered.
enum ProductSort: String, CaseIterable, Sendable {
    case relevance, price, priceDescending = "-price", name, newest
}

/// A validated product list request: `page`, `limit` (at most 100), `category`, `brand`,
/// `minPrice`, `maxPrice` (minor units), `featured`, `q`, `sort`.
struct ProductQuery: Sendable, Equatable {
    var page: PageRequest
    var category: String?
    var brand: String?
    var minPrice: Int64?
    var maxPrice: Int64?
    var featured: Bool?
    var terms: [String]
    var sort: ProductSort

    static func from(_ parameters: FlatDictionary<Substring, Substring>) throws -> ProductQuery {
        let page = try PageRequest.from(parameters, defaultLimit: 20, maximumLimit: 100)
        var validation = Validation()
        let category = validation.text(parameters.get("category"), "category", required: false, maxLength: 120)
        let brand = validation.text(parameters.get("brand"), "brand", required: false, maxLength: 120)
        func price(_ name: String) -> Int64? {
            guard let text = parameters.get(name) else { return nil }
            guard let value = Int64(text), value >= 0 else {
                validation.require(false, name, "must be a whole amount in minor units (cents), 0 or more")
                return nil
            }
            return value
        }
        let minPrice = price("minPrice"), maxPrice = price("maxPrice")
        if let minPrice, let maxPrice { validation.require(minPrice <= maxPrice, "maxPrice", "must not be below minPrice") }
        var featured: Bool?
        if let text = parameters.get("featured") {
            switch text {
            case "true", "1": featured = true
            case "false", "0": featured = false
            default: validation.require(false, "featured", "must be true or false")
            }
        }
        let q = validation.text(parameters.get("q"), "q", required: false, maxLength: 200)
        let terms = q.map(SearchText.queryTerms) ?? []
        let sort = validation.optionalCase(parameters.get("sort"), "sort", of: ProductSort.self) ?? (terms.isEmpty ? .newest : .relevance)
        try validation.check()
        return ProductQuery(page: page, category: category, brand: brand, minPrice: minPrice, maxPrice: maxPrice, featured: featured,
                            terms: terms, sort: sort)
    }

    /// A canonical text of the query, the cache key of its page.
    var cacheID: String {
        [
            "p=\(page.page)", "l=\(page.limit)", "c=\(category ?? "")", "b=\(brand ?? "")", "min=\(minPrice.map(String.init) ?? "")",
            "max=\(maxPrice.map(String.init) ?? "")", "f=\(featured.map(String.init) ?? "")", "q=\(terms.joined(separator: " "))",
            "s=\(sort.rawValue)",
        ].joined(separator: "&")
    }
}
