/// Orders search results: a term found in the name counts most, then in the brand or SKU, then
/// anywhere; featured products win ties, then newer ones.
enum Relevance {
    static func score(_ product: Product, terms: [String], brandName: String?) -> Int {
        let nameWords = Set(SearchText.words(product.name))
        let otherWords = Set(SearchText.words((brandName ?? "") + " " + product.sku))
        var score = 0
        for term in terms {
            if nameWords.contains(term) {
                score += 10
            } else if nameWords.contains(where: { $0.hasPrefix(term) }) {
                score += 6
            } else if otherWords.contains(where: { $0.hasPrefix(term) }) {
                score += 4
            } else {
                score += 1
            }
        }
        return score
    }

    static func sorted(_ products: [Product], terms: [String], brandNames: [String: String]) -> [Product] {
        let scored = products.map { ($0, score($0, terms: terms, brandName: $0.brand.flatMap { brandNames[$0] })) }
        return scored.sorted { lhs, rhs in
            if lhs.1 != rhs.1 { return lhs.1 > rhs.1 }
            if lhs.0.featured != rhs.0.featured { return lhs.0.featured }
            if lhs.0.createdAt != rhs.0.createdAt { return lhs.0.createdAt > rhs.0.createdAt }
            return lhs.0.id < rhs.0.id
        }.map(\.0)
    }
}
