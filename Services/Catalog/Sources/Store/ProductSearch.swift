import BazaarMongo

/// How a keyword query becomes a MongoDB filter. The local MongoDB-wire server has no `$text`,
/// so the default matches precomputed tokens; a deployment on real MongoDB may choose its text
/// index (`CATALOG_SEARCH=text`). Results are ranked by ``Relevance`` either way.
protocol ProductSearch: Sendable {
    /// The filter condition matching products that contain every term.
    func condition(for terms: [String]) -> BSONDocument
    /// The indexes the condition needs.
    var indexes: [MongoIndex] { get }
}

/// Every term must be one of the product's `searchTokens` (words and word beginnings), served
/// by a multikey index.
struct TokenSearch: ProductSearch {
    func condition(for terms: [String]) -> BSONDocument {
        ["searchTokens": ["$all": .array(terms.map { .string($0) })]]
    }

    var indexes: [MongoIndex] { [MongoIndex(["searchTokens": 1], name: "search_tokens")] }
}

/// MongoDB's text index over name, description and SKU (real MongoDB only).
struct TextIndexSearch: ProductSearch {
    func condition(for terms: [String]) -> BSONDocument {
        // Quoted terms are all required, as with the token search.
        ["$text": ["$search": .string(terms.map { "\"\($0)\"" }.joined(separator: " "))]]
    }

    var indexes: [MongoIndex] { [MongoIndex(["name": "text", "description": "text", "sku": "text"], name: "text_search")] }
}
