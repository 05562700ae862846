import BazaarContracts
import BazaarMessaging
import Foundation
import Logging

/// Loads the demo catalog into an empty store: brands, categories, then products in batches,
/// each batch in one transaction with its `product.created` events.
enum Seeder {
    enum Outcome: Equatable {
        case seeded(products: Int)
        case alreadyPresent
    }

    static func seedIfEmpty(_ store: CatalogStore, logger: Logger) async throws -> Outcome {
        guard try await store.categories.count() == 0, try await store.products.count() == 0 else { return .alreadyPresent }
        let brandNames = Dictionary(DemoCatalog.brands.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        _ = try await store.brands.insertMany(DemoCatalog.brands)
        _ = try await store.categories.insertMany(DemoCatalog.categories)
        let products = DemoCatalog.products.map { product in
            var product = product
            product.searchTokens = SearchText.tokens(for: product, brandName: product.brand.flatMap { brandNames[$0] })
            return product
        }
        let context = EventContext.background()
        for start in stride(from: 0, to: products.count, by: 50) {
            let batch = Array(products[start..<min(start + 50, products.count)])
            try await store.mongo.withTransaction { session in
                _ = try await store.products.insertMany(batch, session: session)
                for product in batch {
                    try await store.events.productCreated(product, at: product.createdAt, context: context, session: session)
                }
            }
        }
        store.events.committed()
        logger.notice("loaded the demo catalog", metadata: ["products": .stringConvertible(products.count),
                                                            "categories": .stringConvertible(DemoCatalog.categories.count),
                                                            "brands": .stringConvertible(DemoCatalog.brands.count)])
        return .seeded(products: products.count)
    }
}
